//! `MetaImage` (`.mha`, `.mhd` + `.raw`/`.zraw`): ITK's image format.

mod header;
mod read;
mod write;

pub use read::read;
pub use write::{write, MetaWriteOptions};
