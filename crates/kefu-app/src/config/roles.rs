//! The role × permission matrix, as admins see it.

use kefu_domain::access::{Permission, Role};
use serde::Serialize;

/// One row of the matrix.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoleRow {
    /// Role code.
    pub role: &'static str,
    /// Permission codes this role holds.
    pub permissions: Vec<&'static str>,
}

/// Every role with its permissions, and every permission code in column order.
pub fn permission_matrix() -> (Vec<RoleRow>, Vec<&'static str>) {
    let rows = Role::ALL
        .into_iter()
        .map(|r| RoleRow {
            role: r.as_str(),
            permissions: r.permissions().iter().map(|p| p.as_str()).collect(),
        })
        .collect();
    (rows, Permission::ALL.iter().map(|p| p.as_str()).collect())
}
