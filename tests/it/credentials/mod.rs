//! The credentials file: which files `login` may replace and `logout` may remove, and how
//! local files are read (`files`); the file as a store: how large a file is still read,
//! what counts as no token, errors that are not "not found", the directory's permissions
//! (`store`).

mod files;
mod store;
