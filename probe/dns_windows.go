package probe

// systemNameservers: Windows keeps its resolvers per interface in the
// registry; the doctor does not read them, so the answer is "unknown".
func systemNameservers(string) (servers []string, known bool) { return nil, false }
