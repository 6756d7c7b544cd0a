// The catalogs in catalog/ are compiled into this module by the EmbedCatalogs build plugin
// (see BundledCatalogData, generated at build time).
