// Package e2e holds the end-to-end tests: they start the real local stack
// (DynamoDB Local, MinIO, the API Gateway emulator) once and drive it over
// HTTP exactly as clients do.
package e2e
