"""Static files in production: whitenoise's compressed manifest storage (file names carry
a hash of their content, served with a long cache), with the imports of JavaScript
modules rewritten too: ``import … from "./texts.js";`` in the door's modules becomes
``"./texts.<hash>.js"``, so a page always runs one consistent set of modules, whatever
the browser or the door's service worker kept from an earlier deployment. A module
graph must have no cycle (each file's hash depends on those it imports)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
