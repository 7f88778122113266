//! What a drive item is. Graph does not subtype `driveItem` with `@odata.type`: an item is a
//! folder, a file, a package or a link to another drive's item by which facet it carries
//! (`folder`, `file`, `package`, `remoteItem`), the drive's top folder also has a `root` facet,
//! and an item removed since the last delta round carries `deleted` next to its other members.
//! [`DriveItemKind`] turns those optional facets into one enum, so a `match` covers every case:
//!
//! ```ignore
//! use o365::drive_item::DriveItemKind;
//! for item in page.value {
//!     match item.kind() {
//!         DriveItemKind::Root(_) | DriveItemKind::Folder(_) => { /* descend */ }
//!         DriveItemKind::File(file) => println!("{:?}", file.mime_type),
//!         DriveItemKind::Package(package) => println!("package {:?}", package.type_),
//!         DriveItemKind::Remote(remote) => println!("shared from {:?}", remote.parent_reference),
//!         DriveItemKind::Other => {}
//!     }
//! }
//! ```
//!
//! Available on the `DriveItem` of every workload that has one (`graph-drive`, `graph-sites`,
//! `graph-teams`). The item itself is unchanged: the accessor only borrows its facets.

use crate::generated::common::types::{Deleted, File, Folder, Package, RemoteItem};

/// What a drive item is, by the facet it carries. See [`DriveItem::kind`](crate::generated).
///
/// When several facets are present the most specific wins: `remoteItem` (a shared item shows its
/// local `folder`/`file` copy of the target's facet too), then `package`, then `root`, `folder`
/// and `file`. Whether the item was deleted is a separate question ([`is_deleted`]), because a
/// deleted item keeps the facet of what it was.
///
/// [`is_deleted`]: DriveItemFacets::is_deleted
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DriveItemKind<'a> {
    /// The drive's top folder (`root` facet); its `folder` facet when the service sent one.
    Root(Option<&'a Folder>),
    /// A folder (`folder` facet: child count, view).
    Folder(&'a Folder),
    /// A file (`file` facet: MIME type, hashes). Images and photos are files that also carry
    /// `image`/`photo` facets on the item.
    File(&'a File),
    /// A package the service shows as one item, e.g. a OneNote notebook (`package.type` is
    /// `oneNote`).
    Package(&'a Package),
    /// An item that lives in another drive (shared with the user, or added to their drive);
    /// the target's own facets are on the [`RemoteItem`].
    Remote(&'a RemoteItem),
    /// None of these facets (e.g. a delta entry for a deleted item that carries only its id, or
    /// an item read with a `$select` that left the facets out).
    Other,
}

impl<'a> DriveItemKind<'a> {
    /// From the item's optional facets, most specific first.
    pub fn from_facets(
        remote: Option<&'a RemoteItem>,
        package: Option<&'a Package>,
        root: bool,
        folder: Option<&'a Folder>,
        file: Option<&'a File>,
    ) -> DriveItemKind<'a> {
        if let Some(remote) = remote {
            DriveItemKind::Remote(remote)
        } else if let Some(package) = package {
            DriveItemKind::Package(package)
        } else if root {
            DriveItemKind::Root(folder)
        } else if let Some(folder) = folder {
            DriveItemKind::Folder(folder)
        } else if let Some(file) = file {
            DriveItemKind::File(file)
        } else {
            DriveItemKind::Other
        }
    }

    /// Whether the item holds other items (the root or a folder).
    pub fn is_folder(&self) -> bool {
        matches!(self, DriveItemKind::Root(_) | DriveItemKind::Folder(_))
    }
}

/// The facet accessors of a generated `DriveItem` (implemented for each workload's model).
pub trait DriveItemFacets {
    /// What the item is (see [`DriveItemKind`]).
    fn kind(&self) -> DriveItemKind<'_>;

    /// The `deleted` facet: present on items a delta query reports as removed.
    fn deleted(&self) -> Option<&Deleted>;

    /// Whether a delta query reported the item as removed (it may still carry the facet of
    /// what it was, so [`kind`](DriveItemFacets::kind) still answers).
    fn is_deleted(&self) -> bool {
        self.deleted().is_some()
    }
}

/// Implements [`DriveItemFacets`] (and an inherent `kind()`) for one workload's `DriveItem`.
macro_rules! drive_item_facets {
    ($feature:literal, $workload:ident) => {
        #[cfg(feature = $feature)]
        impl DriveItemFacets for crate::generated::$workload::types::DriveItem {
            fn kind(&self) -> DriveItemKind<'_> {
                DriveItemKind::from_facets(
                    self.remote_item.as_ref(),
                    self.package.as_ref(),
                    self.root.is_some(),
                    self.folder.as_ref(),
                    self.file.as_ref(),
                )
            }

            fn deleted(&self) -> Option<&Deleted> {
                self.deleted.as_ref()
            }
        }

        #[cfg(feature = $feature)]
        impl crate::generated::$workload::types::DriveItem {
            /// What the item is, by the facet it carries (see [`DriveItemKind`]).
            pub fn kind(&self) -> DriveItemKind<'_> {
                DriveItemFacets::kind(self)
            }

            /// Whether a delta query reported the item as removed (`deleted` facet).
            pub fn is_deleted(&self) -> bool {
                DriveItemFacets::is_deleted(self)
            }
        }
    };
}

drive_item_facets!("graph-drive", drive);
drive_item_facets!("graph-sites", sites);
drive_item_facets!("graph-teams", teams);
