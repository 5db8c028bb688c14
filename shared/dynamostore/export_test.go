package dynamostore

// FallbackWalks is how many lists walked the index because the position
// counts could not place their page.
func (s *Store) FallbackWalks() int64 { return s.fallbackWalks.Load() }
