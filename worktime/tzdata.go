package worktime

// The embedded time zone database makes a plan's time zone valid or not
// regardless of the host: a minimal container without /usr/share/zoneinfo
// would otherwise refuse every plan. Go uses the host's database first.
import _ "time/tzdata"
