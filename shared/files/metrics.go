package files

// Metrics receives lifecycle events: created, completed, rejected,
// cancelled, deleted, expired — with the file's declared size.
type Metrics interface {
	Record(event string, bytes int64)
}

type noMetrics struct{}

func (noMetrics) Record(string, int64) {}

// ReportTo sends the service's lifecycle events to m.
func (s *Service) ReportTo(m Metrics) { s.metrics = m }
