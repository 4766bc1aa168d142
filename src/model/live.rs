//! Facts only a live cluster has: the webhook installation, running pods, access reviews.

/// What the audit learned about the cluster beyond its objects.
#[derive(Clone, Debug, Default)]
pub struct LiveState {}
