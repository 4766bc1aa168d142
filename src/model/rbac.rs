//! RBAC objects (ClusterRole, Role, ClusterRoleBinding, RoleBinding) and the one evaluator that
//! answers "may subject S use-managed-identity for client id C?". Filled in by the RBAC work.

/// A ClusterRole or Role.
#[derive(Clone, Debug)]
pub struct Role {}

/// A ClusterRoleBinding or RoleBinding.
#[derive(Clone, Debug)]
pub struct Binding {}
