pub mod edit;
pub mod inspect;
