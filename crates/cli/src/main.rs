//! The `arraydict` command.
fn main() {}
