pub mod edit;
pub mod init;
pub mod inspect;
pub mod targets;
