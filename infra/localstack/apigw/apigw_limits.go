package apigw

import "net/http"

// maxRequestHead is HTTP API's quota on the request line plus header values
// together (10,240 bytes, not adjustable). API Gateway refuses a request
// past it with 431 and a JSON message, before the authorizer or any route.
const maxRequestHead = 10240

// headBytes is what the quota counts: the request line and every header
// value (Host included, which net/http keeps out of r.Header).
func headBytes(r *http.Request) int {
	n := len(r.Method) + 1 + len(r.RequestURI) + 1 + len(r.Proto) + len(r.Host)
	for _, vs := range r.Header {
		for _, v := range vs {
			n += len(v)
		}
	}
	return n
}

// MaxHeaderBytes is what the local API server lets net/http read before it
// answers by itself (a plain-text 431): far past maxRequestHead, so that the
// gateway, not net/http, refuses oversized requests, in API Gateway's JSON.
const MaxHeaderBytes = 8 << 20
