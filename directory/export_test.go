package directory

// ReloadTries is reloadTries, for the tests.
const ReloadTries = reloadTries
