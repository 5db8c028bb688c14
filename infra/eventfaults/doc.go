// Package eventfaults holds the fault tests of events and webhooks: a
// receiver that is down and comes back, a stack SIGKILLed mid-delivery and
// restarted on its data, a receiver that fails forever. Each runs on a
// stack of its own with the retry schedule shortened (milliseconds and
// seconds for minutes and a day), in under a minute.
package eventfaults
