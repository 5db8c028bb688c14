package fileevents

import (
	"encoding/json"
	"time"

	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/jsonwire"
)

// Render is a file as the native API shows it (nativeapi.FileJSON): the
// payload carries that, never a URL with credentials.
type Render func(f *files.File, at time.Time) any

// Message is an event as it is sent: its id and its JSON body, the same
// bytes to the bus and to every endpoint.
type Message struct {
	ID   string
	Type Type
	Body []byte
}

// payload is the body: Standard Webhooks' {type, timestamp, data}, plus
// the event id and the tenant.
type payload struct {
	ID             string             `json:"id"`
	Type           Type               `json:"type"`
	Timestamp      jsonwire.Timestamp `json:"timestamp"`
	OrganizationID string             `json:"organizationId"`
	ProjectID      string             `json:"projectId"`
	Data           payloadData        `json:"data"`
}

type payloadData struct {
	File   any    `json:"file"`
	Reason string `json:"reason,omitempty"`
}

// Message renders ev; the file shows its status as of the event.
func (ev Event) Message(render Render) (Message, error) {
	body, err := json.Marshal(payload{
		ID: ev.ID, Type: ev.Type, Timestamp: jsonwire.Timestamp(ev.Time),
		OrganizationID: ev.OrganizationID, ProjectID: ev.ProjectID,
		Data: payloadData{File: render(ev.File, ev.Time), Reason: ev.Reason},
	})
	return Message{ID: ev.ID, Type: ev.Type, Body: body}, err
}
