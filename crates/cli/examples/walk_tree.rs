//! Prints every node of a stored ArrayDict tree (HDF5, pickle or MessagePack): its path, and for
//! arrays their dtype, shape and memory order; then the kind the tree's keys match, if any.
//!
//! ```text
//! cargo run -p arraydict-cli --example walk_tree -- /tmp/surface.hdf5
//! ```

use std::error::Error;
use std::path::PathBuf;

use arraydict::{detect_kind, Dict, NdArray, Node};

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [path] = args.as_slice() else {
        return Err("usage: walk_tree STORE".into());
    };
    let tree = arraydict_store::read(path, &arraydict_store::ReadOptions::default())?;
    walk(&tree, "");
    match detect_kind(&tree) {
        Some(kind) => println!("kind: {kind}"),
        None => println!("kind: none of surface, centerlines, image, mesh"),
    }
    Ok(())
}

/// Depth first, in the order the store gives the keys.
fn walk(dict: &Dict, prefix: &str) {
    for (key, node) in dict.iter() {
        let path = format!("{prefix}/{key}");
        match node {
            Node::Dict(child) => {
                println!("{path}/");
                walk(child, &path);
            }
            Node::Array(array) => println!("{path}  {}", describe(array)),
            Node::List(arrays) => {
                println!("{path}  list of {} arrays", arrays.len());
                for (i, array) in arrays.iter().enumerate() {
                    println!("{path}[{i}]  {}", describe(array));
                }
            }
        }
    }
}

fn describe(array: &NdArray) -> String {
    format!(
        "{} {:?} order {:?}",
        array.dtype(),
        array.shape(),
        array.order()
    )
}
