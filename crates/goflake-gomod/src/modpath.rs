//! Go's rules for import paths (golang.org/x/mod/module's `CheckImportPath`, which module
//! paths in go.mod must meet too): a path that breaks them never reaches a flake, a shell or
//! a workflow.

/// `CheckImportPath`: slash-separated elements of ASCII letters, digits and `-._~+`, none
/// empty, none starting or ending with a dot, none a Windows reserved name.
pub fn check_import_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("empty path".into());
    }
    if path.starts_with('/') {
        return Err("leading slash".into());
    }
    if path.ends_with('/') {
        return Err("trailing slash".into());
    }
    if path.contains("//") {
        return Err("double slash".into());
    }
    for element in path.split('/') {
        check_element(element)?;
    }
    Ok(())
}

fn shown_char(c: char) -> String {
    format!("'{}'", c.escape_default())
}

/// One element of an import path (a directory name), by the same rules.
pub(crate) fn check_element(element: &str) -> Result<(), String> {
    if element.is_empty() {
        return Err("empty path element".into());
    }
    if element == "." || element == ".." {
        return Err(format!("invalid path element `{element}`"));
    }
    if let Some(c) = element
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~' | '+')))
    {
        return Err(format!("invalid char {}", shown_char(c)));
    }
    if element.starts_with('.') {
        return Err("leading dot in path element".into());
    }
    if element.ends_with('.') {
        return Err("trailing dot in path element".into());
    }
    let stem = element
        .split('.')
        .next()
        .unwrap_or(element)
        .to_ascii_uppercase();
    const RESERVED: &[&str] = &["CON", "PRN", "AUX", "NUL"];
    let numbered = (stem.starts_with("COM") || stem.starts_with("LPT"))
        && stem.len() == 4
        && stem[3..].chars().all(|c| c.is_ascii_digit() && c != '0');
    if RESERVED.contains(&stem.as_str()) || numbered {
        return Err(format!(
            "`{element}` is a disallowed path element (a Windows device name)"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_paths_follow_go() {
        for good in [
            "example.com/x",
            "hello",
            "github.com/A/b-c_d~e+f",
            "gopkg.in/yaml.v3",
        ] {
            assert_eq!(check_import_path(good), Ok(()), "{good}");
        }
        for (bad, why) in [
            ("a b", "invalid char ' '"),
            ("a\"b", "invalid char '\\\"'"),
            ("x/${y}", "invalid char '$'"),
            ("a\nb", "invalid char '\\n'"),
            ("x/\u{1b}[31m", "invalid char '\\u{1b}'"),
            ("/x", "leading slash"),
            ("x//y", "double slash"),
            ("x/./y", "invalid path element"),
            ("x/.hidden", "leading dot"),
            ("x/con", "Windows device name"),
        ] {
            let err = check_import_path(bad).unwrap_err();
            assert!(err.contains(why), "{bad:?}: {err}");
        }
    }
}
