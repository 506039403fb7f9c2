use crate::{ArrayData, DType, ModelError};

/// A named VTK data array: a flat buffer of `tuples * components` values.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DataArray {
    name: String,
    components: usize,
    data: ArrayData,
}

impl DataArray {
    /// Builds an array; `data.len()` must be a multiple of `components` (which must be >= 1).
    pub fn new(
        name: impl Into<String>,
        components: usize,
        data: ArrayData,
    ) -> Result<Self, ModelError> {
        let name = name.into();
        if components == 0 || !data.len().is_multiple_of(components) {
            return Err(ModelError::BadComponents {
                name,
                len: data.len(),
                components,
            });
        }
        Ok(Self {
            name,
            components,
            data,
        })
    }

    /// The array's name (may be empty for unnamed arrays).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Renames the array.
    pub fn set_name(&mut self, name: impl Into<String>) {
        self.name = name.into();
    }
    /// Components per tuple.
    pub fn components(&self) -> usize {
        self.components
    }
    /// Number of tuples.
    pub fn tuples(&self) -> usize {
        self.data.len() / self.components
    }
    /// Element type.
    pub fn dtype(&self) -> DType {
        self.data.dtype()
    }
    /// The flat values, tuple-major (VTK's layout).
    pub fn data(&self) -> &ArrayData {
        &self.data
    }
    /// Takes the values out.
    pub fn into_data(self) -> ArrayData {
        self.data
    }
    /// Splits into name, components and values.
    pub fn into_parts(self) -> (String, usize, ArrayData) {
        (self.name, self.components, self.data)
    }
}

/// Ordered point or cell data of a dataset (VTK order is part of the ArrayDict contract).
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Attributes {
    arrays: Vec<DataArray>,
}

impl Attributes {
    /// No arrays.
    pub fn new() -> Self {
        Self::default()
    }
    /// Appends an array (VTK allows duplicate names; so do we, the ArrayDict layer reports them).
    pub fn push(&mut self, array: DataArray) {
        self.arrays.push(array);
    }
    /// The first array with this name.
    pub fn get(&self, name: &str) -> Option<&DataArray> {
        self.arrays.iter().find(|a| a.name == name)
    }
    /// Arrays in order.
    pub fn iter(&self) -> std::slice::Iter<'_, DataArray> {
        self.arrays.iter()
    }
    /// Number of arrays.
    pub fn len(&self) -> usize {
        self.arrays.len()
    }
    /// True when there are no arrays.
    pub fn is_empty(&self) -> bool {
        self.arrays.is_empty()
    }
    /// The arrays as a vector.
    pub fn into_vec(self) -> Vec<DataArray> {
        self.arrays
    }
    /// Checks that every array has `expected` tuples.
    pub fn check_tuples(
        &self,
        association: &'static str,
        expected: usize,
    ) -> Result<(), ModelError> {
        for a in &self.arrays {
            if a.tuples() != expected {
                return Err(ModelError::TupleCount {
                    association,
                    name: a.name.clone(),
                    tuples: a.tuples(),
                    expected,
                });
            }
        }
        Ok(())
    }
}

impl From<Vec<DataArray>> for Attributes {
    fn from(arrays: Vec<DataArray>) -> Self {
        Self { arrays }
    }
}

impl FromIterator<DataArray> for Attributes {
    fn from_iter<I: IntoIterator<Item = DataArray>>(iter: I) -> Self {
        Self {
            arrays: iter.into_iter().collect(),
        }
    }
}

impl IntoIterator for Attributes {
    type Item = DataArray;
    type IntoIter = std::vec::IntoIter<DataArray>;
    fn into_iter(self) -> Self::IntoIter {
        self.arrays.into_iter()
    }
}

impl<'a> IntoIterator for &'a Attributes {
    type Item = &'a DataArray;
    type IntoIter = std::slice::Iter<'a, DataArray>;
    fn into_iter(self) -> Self::IntoIter {
        self.arrays.iter()
    }
}
