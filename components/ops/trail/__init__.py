"""`secure-kafka investigate`: who touched which topic, from where, allowed or denied — answered from the
broker and authorizer logs our platforms write (files, CloudWatch Logs, S3 exports), streamed in
constant memory, every line accounted for (an audit line that cannot be read is counted, never dropped)."""
