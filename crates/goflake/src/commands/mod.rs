pub mod edit;
pub mod import;
pub mod init;
pub mod inspect;
pub mod nar_hash;
pub mod new;
pub mod targets;
pub mod vendor_hash;
