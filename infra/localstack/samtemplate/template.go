// Package samtemplate reads template.yaml for the local stack: functions,
// routes, policies, stream mappings, schedules, the table, the bucket's CORS
// and notifications, so the stack cannot drift from what sam deploy creates.
package samtemplate

import (
	"cmp"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/filegate/filegate/infra/localstack/eventfilter"
	"github.com/filegate/filegate/shared/wiring"
)

// Template is what the local stack reads from template.yaml, so routes, the
// table and the bucket cannot drift from what `sam deploy` creates.
type Template struct {
	Functions    map[string]*TemplateFunction // by logical ID
	AuthorizerID string                       // the HTTP API authorizer's function
	// AuthorizerCache is how long API Gateway caches an authorization
	// (ReauthorizeEvery, resolved through its parameter's default).
	AuthorizerCache time.Duration
	Table           TableSpec
	BucketCORS      []CORSRule
	// APICORS is the HTTP API's CorsConfiguration (nil: none), with
	// AllowOrigins resolved through its parameter's default.
	APICORS *APICORS
	// PublicRoutes are the HttpApi routes that skip the authorizer
	// (Auth: Authorizer: NONE).
	PublicRoutes map[string]bool
	// UploadEvents is the bucket's Lambda notification: which function its
	// ObjectCreated events invoke, for keys under which prefix.
	UploadEvents BucketNotification
	// RootSecret is the logical ID of the Secrets Manager secret upload
	// tokens' keys derive from (the local stack keeps it in a file).
	RootSecret string
}

// BucketNotification is one of the bucket's LambdaConfigurations.
type BucketNotification struct {
	Function string // logical ID
	Event    string // e.g. s3:ObjectCreated:*
	Prefix   string // its S3Key prefix filter
}

// APICORS mirrors an AWS::Serverless::HttpApi CorsConfiguration.
type APICORS struct {
	AllowOrigins     []string `yaml:"-"`
	AllowMethods     []string `yaml:"AllowMethods"`
	AllowHeaders     []string `yaml:"AllowHeaders"`
	ExposeHeaders    []string `yaml:"ExposeHeaders"`
	MaxAge           int      `yaml:"MaxAge"`
	AllowCredentials bool     `yaml:"AllowCredentials"`
}

// TemplateFunction is one AWS::Serverless::Function.
type TemplateFunction struct {
	LogicalID string
	Routes    []string // "METHOD /path" of its HttpApi events
	S3Events  bool     // the bucket's notification invokes it
	Stream    bool     // an AWS::Lambda::EventSourceMapping feeds it the table's stream
	// EventFilters are its stream event source's FilterCriteria patterns
	// (Lambda passes a record matching any of them), StreamBatch its BatchSize,
	// StreamAttempts its deliveries of a failing record before it is given up
	// (MaximumRetryAttempts + 1; 0 = until the record leaves the stream, the
	// default), StreamMaxAge its MaximumRecordAgeInSeconds (0: the default,
	// until the record leaves the stream), StreamBisect its
	// BisectBatchOnFunctionError.
	StreamFilters  []string
	StreamBatch    int
	StreamAttempts int
	StreamMaxAge   time.Duration
	StreamBisect   bool
	Schedules      []Schedule    // its Schedule events, if any
	Timeout        time.Duration // its Timeout, or Globals.Function's
	MemorySize     int           // MB: its MemorySize, or Globals.Function's
	CodeURI        string
	Build          string // Metadata.BuildMethod
	// Policy is its inline policy statements (the local stack's IAM gate).
	Policy []PolicyStatement
	// ReadsRootSecret: its policy may read the root secret, so the local
	// stack tells it where the secret's file is (and tells no other).
	ReadsRootSecret bool
}

// Schedule is a Schedule event: its rate or cron expression, and the event
// it sends instead of EventBridge's scheduled event ("" = that one).
type Schedule struct {
	Expression string
	Input      string
}

// TableSpec mirrors the CloudFormation properties of the files table.
type TableSpec struct {
	Name                 string `yaml:"-"`
	BillingMode          string `yaml:"BillingMode"`
	AttributeDefinitions []struct {
		AttributeName string `yaml:"AttributeName"`
		AttributeType string `yaml:"AttributeType"`
	} `yaml:"AttributeDefinitions"`
	KeySchema              []KeyElement `yaml:"KeySchema"`
	GlobalSecondaryIndexes []struct {
		IndexName  string       `yaml:"IndexName"`
		KeySchema  []KeyElement `yaml:"KeySchema"`
		Projection struct {
			ProjectionType   string   `yaml:"ProjectionType"`
			NonKeyAttributes []string `yaml:"NonKeyAttributes"`
		} `yaml:"Projection"`
	} `yaml:"GlobalSecondaryIndexes"`
	StreamSpecification struct {
		StreamViewType string `yaml:"StreamViewType"`
	} `yaml:"StreamSpecification"`
	TimeToLiveSpecification struct {
		AttributeName string `yaml:"AttributeName"`
		Enabled       bool   `yaml:"Enabled"`
	} `yaml:"TimeToLiveSpecification"`
}

type KeyElement struct {
	AttributeName string `yaml:"AttributeName"`
	KeyType       string `yaml:"KeyType"`
}

// CORSRule mirrors one S3 CorsRules entry.
type CORSRule struct {
	AllowedOrigins []string `yaml:"-"` // resolved like APICORS.AllowOrigins
	AllowedMethods []string `yaml:"AllowedMethods"`
	AllowedHeaders []string `yaml:"AllowedHeaders"`
	ExposedHeaders []string `yaml:"ExposedHeaders"`
	MaxAge         int32    `yaml:"MaxAge"`
}

type resource struct {
	Type       string    `yaml:"Type"`
	Metadata   yaml.Node `yaml:"Metadata"`
	Properties yaml.Node `yaml:"Properties"`
}

// ReadTemplate parses path (CloudFormation tags such as !Ref decode as their
// operand, which is all the local stack needs).
func ReadTemplate(path string) (*Template, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Parameters map[string]struct {
			Default string `yaml:"Default"`
		} `yaml:"Parameters"`
		Globals struct {
			Function struct {
				Timeout    int `yaml:"Timeout"`
				MemorySize int `yaml:"MemorySize"`
			} `yaml:"Function"`
		} `yaml:"Globals"`
		Resources map[string]resource `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	t := &Template{Functions: map[string]*TemplateFunction{}, PublicRoutes: map[string]bool{}}
	mappings := map[string]resource{}
	// param resolves a value written as !Ref Param, which decodes as the
	// parameter's name, to the parameter's default.
	param := func(v string) string {
		if p, ok := doc.Parameters[v]; ok {
			return p.Default
		}
		return v
	}
	for id, r := range doc.Resources {
		var err error
		switch r.Type {
		case "AWS::Serverless::Function":
			err = t.addFunction(id, r)
		case "AWS::Lambda::EventSourceMapping":
			mappings[id] = r
		case "AWS::SecretsManager::Secret":
			if t.RootSecret != "" {
				err = fmt.Errorf("a second secret (%s is the first): the local stack keeps one", t.RootSecret)
			}
			t.RootSecret = id
		case "AWS::Serverless::HttpApi":
			var every string
			every, err = t.readAuthorizer(r)
			if n, convErr := strconv.Atoi(param(every)); convErr == nil {
				t.AuthorizerCache = time.Duration(n) * time.Second
			}
			if err == nil {
				t.APICORS, err = readAPICORS(r, param)
			}
		case "AWS::DynamoDB::Table":
			t.Table.Name = id
			err = r.Properties.Decode(&t.Table)
		case "AWS::S3::Bucket":
			t.BucketCORS, err = readBucketCORS(r, param)
			if err == nil {
				t.UploadEvents, err = readBucketNotification(r)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("%s: resource %s: %w", path, id, err)
		}
	}
	for id, r := range mappings {
		if err := t.addStreamMapping(r); err != nil {
			return nil, fmt.Errorf("%s: resource %s: %w", path, id, err)
		}
	}
	if f := t.Functions[t.UploadEvents.Function]; f != nil {
		f.S3Events = true
	}
	for _, f := range t.Functions {
		if f.Timeout == 0 {
			f.Timeout = time.Duration(doc.Globals.Function.Timeout) * time.Second
		}
		f.MemorySize = cmp.Or(f.MemorySize, doc.Globals.Function.MemorySize)
		if t.RootSecret != "" {
			var err error
			if f.ReadsRootSecret, err = Allows(f.Policy, Request{Action: "secretsmanager:GetSecretValue", Resource: "${" + t.RootSecret + "}"}); err != nil {
				return nil, fmt.Errorf("%s: function %s: %w", path, f.LogicalID, err)
			}
		}
	}
	return t, nil
}

func (t *Template) addFunction(id string, r resource) error {
	var p struct {
		CodeURI    string    `yaml:"CodeUri"`
		Timeout    int       `yaml:"Timeout"`
		MemorySize int       `yaml:"MemorySize"`
		Policies   yaml.Node `yaml:"Policies"`
		Events     map[string]struct {
			Type       string `yaml:"Type"`
			Properties struct {
				Method   string `yaml:"Method"`
				Path     string `yaml:"Path"`
				Schedule string `yaml:"Schedule"`
				Input    string `yaml:"Input"`
				Auth     struct {
					Authorizer string `yaml:"Authorizer"`
				} `yaml:"Auth"`
			} `yaml:"Properties"`
		} `yaml:"Events"`
	}
	var m struct {
		BuildMethod string `yaml:"BuildMethod"`
	}
	if err := r.Properties.Decode(&p); err != nil {
		return err
	}
	if !r.Metadata.IsZero() {
		if err := r.Metadata.Decode(&m); err != nil {
			return err
		}
	}
	f := &TemplateFunction{LogicalID: id, CodeURI: p.CodeURI, Build: m.BuildMethod, Timeout: time.Duration(p.Timeout) * time.Second, MemorySize: p.MemorySize}
	var err error
	if f.Policy, err = readPolicies(p.Policies); err != nil {
		return err
	}
	for _, ev := range p.Events {
		switch ev.Type {
		case "HttpApi":
			route := ev.Properties.Method + " " + ev.Properties.Path
			if ev.Properties.Method == "" && ev.Properties.Path == "" {
				route = wiring.DefaultRoute // SAM makes the $default route of an event without either
			}
			f.Routes = append(f.Routes, route)
			if ev.Properties.Auth.Authorizer == "NONE" {
				t.PublicRoutes[route] = true
			}
		case "DynamoDB":
			return fmt.Errorf("a SAM DynamoDB event attaches AWSLambdaDynamoDBExecutionRole (GetRecords on every stream of the account): declare an AWS::Lambda::EventSourceMapping and grant this table's stream in the function's policy")
		case "Schedule":
			f.Schedules = append(f.Schedules, Schedule{Expression: ev.Properties.Schedule, Input: ev.Properties.Input})
		}
	}
	sort.Strings(f.Routes)
	sort.Slice(f.Schedules, func(i, j int) bool { return f.Schedules[i].Input < f.Schedules[j].Input })
	t.Functions[id] = f
	return nil
}

// addStreamMapping reads an event source mapping: the table's stream
// feeding a function, with its batch, retries and filters. Lambda refuses
// to create it unless the function's role may read the stream, so the local
// stack refuses it too.
func (t *Template) addStreamMapping(r resource) error {
	var p struct {
		FunctionName   string `yaml:"FunctionName"`   // !Ref X decodes as "X"
		EventSourceArn string `yaml:"EventSourceArn"` // !GetAtt X.StreamArn decodes as "X.StreamArn"
		BatchSize      int    `yaml:"BatchSize"`
		Retries        *int   `yaml:"MaximumRetryAttempts"`
		MaxAge         int    `yaml:"MaximumRecordAgeInSeconds"`
		Bisect         bool   `yaml:"BisectBatchOnFunctionError"`
		Filter         struct {
			Filters []struct {
				Pattern string `yaml:"Pattern"`
			} `yaml:"Filters"`
		} `yaml:"FilterCriteria"`
	}
	if err := r.Properties.Decode(&p); err != nil {
		return err
	}
	f := t.Functions[p.FunctionName]
	table, ok := strings.CutSuffix(p.EventSourceArn, ".StreamArn")
	switch {
	case f == nil:
		return fmt.Errorf("FunctionName %q is no function of the template", p.FunctionName)
	case !ok || table != t.Table.Name:
		return fmt.Errorf("EventSourceArn %q: the local stack feeds functions the table's stream only", p.EventSourceArn)
	case f.Stream:
		return fmt.Errorf("%s has two stream mappings: the local stack feeds it one", f.LogicalID)
	}
	for _, action := range StreamReadActions {
		allowed, err := Allows(f.Policy, Request{Action: action, Resource: StreamResource(table)})
		if err != nil {
			return err
		}
		if !allowed {
			return fmt.Errorf("%s's policy does not grant %s on the table's stream: Lambda could not read it", f.LogicalID, action)
		}
	}
	f.Stream, f.StreamBatch = true, p.BatchSize
	if r := p.Retries; r != nil && *r >= 0 {
		f.StreamAttempts = *r + 1
	}
	f.StreamBisect = p.Bisect
	if p.MaxAge > 0 {
		f.StreamMaxAge = time.Duration(p.MaxAge) * time.Second
	}
	for _, flt := range p.Filter.Filters {
		f.StreamFilters = append(f.StreamFilters, flt.Pattern)
	}
	return nil
}

// StreamReadActions are what Lambda needs to read a DynamoDB stream for a
// function (AWS's DynamoDB developer guide).
var StreamReadActions = []string{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"}

// EventFilters are f's stream FilterCriteria, parsed.
func (f *TemplateFunction) EventFilters() ([]*eventfilter.EventFilter, error) {
	var out []*eventfilter.EventFilter
	for _, p := range f.StreamFilters {
		flt, err := eventfilter.ParseEventFilter(p)
		if err != nil {
			return nil, fmt.Errorf("template function %s: %w", f.LogicalID, err)
		}
		out = append(out, flt)
	}
	return out, nil
}

// readAuthorizer records the authorizer's function and returns its
// ReauthorizeEvery as written (a number or a parameter name).
func (t *Template) readAuthorizer(r resource) (string, error) {
	var p struct {
		Auth struct {
			Authorizers map[string]struct {
				FunctionArn string `yaml:"FunctionArn"` // !GetAtt X.Arn decodes as "X.Arn"
				Identity    struct {
					ReauthorizeEvery string `yaml:"ReauthorizeEvery"`
				} `yaml:"Identity"`
			} `yaml:"Authorizers"`
		} `yaml:"Auth"`
	}
	if err := r.Properties.Decode(&p); err != nil {
		return "", err
	}
	every := ""
	for _, a := range p.Auth.Authorizers {
		t.AuthorizerID = strings.TrimSuffix(a.FunctionArn, ".Arn")
		every = a.Identity.ReauthorizeEvery
	}
	return every, nil
}

// readAPICORS reads the HTTP API's CorsConfiguration; AllowOrigins is
// usually !Ref to a CommaDelimitedList parameter.
func readAPICORS(r resource, param func(string) string) (*APICORS, error) {
	var p struct {
		CorsConfiguration *struct {
			APICORS      `yaml:",inline"`
			AllowOrigins yaml.Node `yaml:"AllowOrigins"`
		} `yaml:"CorsConfiguration"`
	}
	if err := r.Properties.Decode(&p); err != nil || p.CorsConfiguration == nil {
		return nil, err
	}
	c := p.CorsConfiguration.APICORS
	var err error
	c.AllowOrigins, err = origins(p.CorsConfiguration.AllowOrigins, param)
	return &c, err
}

// readBucketNotification reads the bucket's one Lambda notification
// (Function: !GetAtt X.Arn decodes as "X.Arn").
func readBucketNotification(r resource) (BucketNotification, error) {
	var p struct {
		NotificationConfiguration struct {
			LambdaConfigurations []struct {
				Event    string `yaml:"Event"`
				Function string `yaml:"Function"`
				Filter   struct {
					S3Key struct {
						Rules []struct {
							Name  string `yaml:"Name"`
							Value string `yaml:"Value"`
						} `yaml:"Rules"`
					} `yaml:"S3Key"`
				} `yaml:"Filter"`
			} `yaml:"LambdaConfigurations"`
		} `yaml:"NotificationConfiguration"`
	}
	if err := r.Properties.Decode(&p); err != nil {
		return BucketNotification{}, err
	}
	var n BucketNotification
	for _, c := range p.NotificationConfiguration.LambdaConfigurations {
		if n.Function != "" {
			return n, fmt.Errorf("more than one Lambda notification: the local stack wires one")
		}
		n = BucketNotification{Function: strings.TrimSuffix(c.Function, ".Arn"), Event: c.Event}
		for _, rule := range c.Filter.S3Key.Rules {
			if strings.EqualFold(rule.Name, "prefix") {
				n.Prefix = rule.Value
			}
		}
	}
	return n, nil
}

// readBucketCORS reads an AWS::S3::Bucket's CorsRules.
func readBucketCORS(r resource, param func(string) string) ([]CORSRule, error) {
	var p struct {
		CorsConfiguration struct {
			CorsRules []struct {
				CORSRule       `yaml:",inline"`
				AllowedOrigins yaml.Node `yaml:"AllowedOrigins"`
			} `yaml:"CorsRules"`
		} `yaml:"CorsConfiguration"`
	}
	if err := r.Properties.Decode(&p); err != nil {
		return nil, err
	}
	var rules []CORSRule
	for _, c := range p.CorsConfiguration.CorsRules {
		var err error
		if c.CORSRule.AllowedOrigins, err = origins(c.AllowedOrigins, param); err != nil {
			return nil, err
		}
		rules = append(rules, c.CORSRule)
	}
	return rules, nil
}

// SetAllowedOrigins gives the AllowedOrigins parameter a value other than
// its default: the origins of the API's CORS and of every bucket CORS rule.
func (t *Template) SetAllowedOrigins(origins []string) {
	if t.APICORS != nil {
		t.APICORS.AllowOrigins = origins
	}
	for i := range t.BucketCORS {
		t.BucketCORS[i].AllowedOrigins = origins
	}
}

// origins reads a list of origins written either as a list or as !Ref of a
// CommaDelimitedList parameter (resolved to its default).
func origins(n yaml.Node, param func(string) string) ([]string, error) {
	var out []string
	switch n.Kind {
	case yaml.ScalarNode:
		out = strings.Split(param(n.Value), ",")
	case yaml.SequenceNode:
		if err := n.Decode(&out); err != nil {
			return nil, err
		}
	}
	for i, v := range out {
		out[i] = strings.TrimSpace(v)
	}
	return out, nil
}
