use indexmap::IndexMap;

use crate::array::NdArray;
use crate::error::ArrayDictError;

/// A node of an `ArrayDict` tree.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Node {
    /// An ordered dict with string keys.
    Dict(Dict),
    /// An n-d array.
    Array(NdArray),
    /// A list of arrays (centerline `CellPointIds`, mesh cells as list).
    List(Vec<NdArray>),
}

/// An ordered dict of nodes (Python dicts keep insertion order, and VMTK's consumers rely on it).
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct Dict {
    entries: IndexMap<String, Node>,
}

impl Dict {
    /// An empty dict.
    pub fn new() -> Self {
        Self::default()
    }
    /// Inserts at the end (or replaces in place when the key exists), returning the old value.
    pub fn insert(&mut self, key: impl Into<String>, node: impl Into<Node>) -> Option<Node> {
        self.entries.insert(key.into(), node.into())
    }
    /// The node under `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries.get(key)
    }
    /// Mutable access to the node under `key`.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.entries.get_mut(key)
    }
    /// Removes a key, keeping the order of the others.
    pub fn remove(&mut self, key: &str) -> Option<Node> {
        self.entries.shift_remove(key)
    }
    /// True when `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.entries.contains_key(key)
    }
    /// Keys in order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }
    /// Entries in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Node)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    /// Follows a `/A/B` path (the root is `/` or empty).
    pub fn at(&self, path: &str) -> Option<&Node> {
        let mut parts = path.split('/').filter(|p| !p.is_empty());
        let first = parts.next()?;
        let mut node = self.get(first)?;
        for p in parts {
            node = match node {
                Node::Dict(d) => d.get(p)?,
                // list elements are arrays, not nodes: use `as_list` for them
                Node::List(_) | Node::Array(_) => return None,
            };
        }
        Some(node)
    }
    /// The array at a path, or an error naming the path.
    pub fn array_at(&self, path: &str) -> Result<&NdArray, ArrayDictError> {
        match self.at(path) {
            Some(Node::Array(a)) => Ok(a),
            Some(other) => Err(ArrayDictError::Path {
                path: path.into(),
                detail: format!("expected an array, found a {}", other.type_name()),
            }),
            None => Err(ArrayDictError::Path {
                path: path.into(),
                detail: "missing".into(),
            }),
        }
    }
}

impl Node {
    /// `"dict"`, `"array"` or `"list"`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Node::Dict(_) => "dict",
            Node::Array(_) => "array",
            Node::List(_) => "list",
        }
    }
    /// The dict, if this is one.
    pub fn as_dict(&self) -> Option<&Dict> {
        match self {
            Node::Dict(d) => Some(d),
            _ => None,
        }
    }
    /// The array, if this is one.
    pub fn as_array(&self) -> Option<&NdArray> {
        match self {
            Node::Array(a) => Some(a),
            _ => None,
        }
    }
    /// The list, if this is one.
    pub fn as_list(&self) -> Option<&[NdArray]> {
        match self {
            Node::List(l) => Some(l),
            _ => None,
        }
    }
}

impl From<Dict> for Node {
    fn from(d: Dict) -> Self {
        Node::Dict(d)
    }
}
impl From<NdArray> for Node {
    fn from(a: NdArray) -> Self {
        Node::Array(a)
    }
}
impl From<Vec<NdArray>> for Node {
    fn from(l: Vec<NdArray>) -> Self {
        Node::List(l)
    }
}

impl FromIterator<(String, Node)> for Dict {
    fn from_iter<I: IntoIterator<Item = (String, Node)>>(iter: I) -> Self {
        Self {
            entries: iter.into_iter().collect(),
        }
    }
}

impl IntoIterator for Dict {
    type Item = (String, Node);
    type IntoIter = indexmap::map::IntoIter<String, Node>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}
