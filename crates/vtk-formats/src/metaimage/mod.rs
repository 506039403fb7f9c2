//! `MetaImage` (`.mha`, `.mhd` + `.raw`/`.zraw`): ITK's image format.

mod header;
mod read;
mod write;

pub use read::read;
pub use write::{has_separate_data_file, write, write_to, MetaWriteOptions};
