// The Reconcile module is built in a later issue; it has no API yet.
