// Placeholder so SwiftPM loads the package while this module is being written; delete when the module has real files.
