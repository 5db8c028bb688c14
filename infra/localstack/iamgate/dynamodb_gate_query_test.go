package iamgate

import (
	"slices"
	"testing"
)

// A Query of the table is authorized by the partition key its condition
// names, as IAM reads dynamodb:LeadingKeys; a condition the gate cannot
// read, and an index's Query, are never granted by a LeadingKeys statement.
func TestQueryLeadingKeys(t *testing.T) {
	for body, want := range map[string][]string{
		`{"KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"W#p"}]},"sk":{"ComparisonOperator":"BEGINS_WITH","AttributeValueList":[{"S":"E#"}]}}}`: {"W#p"},
		`{"KeyConditionExpression":"#k = :v AND begins_with(sk, :s)","ExpressionAttributeNames":{"#k":"pk"},"ExpressionAttributeValues":{":v":{"S":"D#e#1"},":s":{"S":"x"}}}`: {"D#e#1"},
		`{"KeyConditionExpression":"(pk = :v)","ExpressionAttributeValues":{":v":{"S":"W#q"}}}`:                                                                               {"W#q"},
		`{"KeyConditions":{"pk":{"ComparisonOperator":"BEGINS_WITH","AttributeValueList":[{"S":"W#"}]}}}`:                                                                     queryKeys,
		`{"KeyConditionExpression":"sk = :v","ExpressionAttributeValues":{":v":{"S":"W#q"}}}`:                                                                                 queryKeys,
		`{"IndexName":"ByReconcileAt","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"W#p"}]}}}`:                                                 queryKeys,
		`{}`: queryKeys,
	} {
		if got := queryLeadingKeys([]byte(body), "pk"); !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", body, got, want)
		}
	}
}
