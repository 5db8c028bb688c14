package files

import "context"

// GetCompleted is Get for views that show only COMPLETED files (the compat
// API): any other file is not found there.
func (s *Service) GetCompleted(ctx context.Context, projectID, id string) (*File, error) {
	f, err := s.Get(ctx, projectID, id)
	if err != nil {
		return nil, err
	}
	if f.Status != StatusCompleted {
		return nil, ErrNotFound
	}
	return f, nil
}

// DeleteCompleted deletes a COMPLETED file the way Delete deletes any file.
func (s *Service) DeleteCompleted(ctx context.Context, projectID, id string) error {
	if _, err := s.GetCompleted(ctx, projectID, id); err != nil {
		return err
	}
	return s.Delete(ctx, projectID, id)
}
