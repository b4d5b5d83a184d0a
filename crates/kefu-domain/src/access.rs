//! Who may do what: roles, permissions and the rule that a customer only ever sees its own data.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A single capability checked on a route or a use case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Permission {
    /// Read customers, contacts, assets and orders.
    #[serde(rename = "customer.read")]
    CustomerRead,
    /// Create and change customers, contacts, assets and orders.
    #[serde(rename = "customer.write")]
    CustomerWrite,
    /// Read tickets and their history.
    #[serde(rename = "ticket.read")]
    TicketRead,
    /// Open tickets.
    #[serde(rename = "ticket.create")]
    TicketCreate,
    /// Change fields, reply, add notes, transition.
    #[serde(rename = "ticket.update")]
    TicketUpdate,
    /// Assign tickets to people and teams.
    #[serde(rename = "ticket.assign")]
    TicketAssign,
    /// Merge and split tickets.
    #[serde(rename = "ticket.merge")]
    TicketMerge,
    /// Reopen closed tickets.
    #[serde(rename = "ticket.reopen")]
    TicketReopen,
    /// Manage staff users, roles and API tokens of others.
    #[serde(rename = "user.manage")]
    UserManage,
    /// Manage configuration: SLA policies, calendars, workflows, ticket types.
    #[serde(rename = "config.manage")]
    ConfigManage,
    /// Read the admin audit log.
    #[serde(rename = "audit.read")]
    AuditRead,
    /// Read service charges and financial exports.
    #[serde(rename = "finance.read")]
    FinanceRead,
    /// Write, publish and archive knowledge-base articles and categories; read drafts.
    #[serde(rename = "kb.manage")]
    KnowledgeManage,
    /// Keep the parts catalogue and warehouses, receive stock, handle purchase requests.
    #[serde(rename = "parts.manage")]
    PartsManage,
    /// Keep the price list and charge rules, waive charges (goodwill), set a price by hand,
    /// and export charges to finance.
    #[serde(rename = "charges.manage")]
    ChargesManage,
}

impl Permission {
    /// Every permission.
    pub const ALL: [Permission; 15] = [
        Permission::CustomerRead,
        Permission::CustomerWrite,
        Permission::TicketRead,
        Permission::TicketCreate,
        Permission::TicketUpdate,
        Permission::TicketAssign,
        Permission::TicketMerge,
        Permission::TicketReopen,
        Permission::UserManage,
        Permission::ConfigManage,
        Permission::AuditRead,
        Permission::FinanceRead,
        Permission::KnowledgeManage,
        Permission::PartsManage,
        Permission::ChargesManage,
    ];

    /// Stable code, also used as API token scope.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::CustomerRead => "customer.read",
            Permission::CustomerWrite => "customer.write",
            Permission::TicketRead => "ticket.read",
            Permission::TicketCreate => "ticket.create",
            Permission::TicketUpdate => "ticket.update",
            Permission::TicketAssign => "ticket.assign",
            Permission::TicketMerge => "ticket.merge",
            Permission::TicketReopen => "ticket.reopen",
            Permission::UserManage => "user.manage",
            Permission::ConfigManage => "config.manage",
            Permission::AuditRead => "audit.read",
            Permission::FinanceRead => "finance.read",
            Permission::KnowledgeManage => "kb.manage",
            Permission::PartsManage => "parts.manage",
            Permission::ChargesManage => "charges.manage",
        }
    }

    /// Parses the stable code.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// Roles. Staff roles carry fixed permission sets; `Customer` is a portal user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything (管理员).
    Admin,
    /// Team lead: all ticket work plus reports and audit (主管).
    Supervisor,
    /// Service agent (客服).
    Agent,
    /// Field engineer (现场工程师).
    FieldEngineer,
    /// Finance (财务).
    Finance,
    /// A customer's portal user (客户).
    Customer,
}

impl Role {
    /// All roles.
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Supervisor,
        Role::Agent,
        Role::FieldEngineer,
        Role::Finance,
        Role::Customer,
    ];

    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::Agent => "agent",
            Role::FieldEngineer => "field_engineer",
            Role::Finance => "finance",
            Role::Customer => "customer",
        }
    }

    /// Parses the stable code.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// True for every role but `Customer`.
    pub fn is_staff(self) -> bool {
        self != Role::Customer
    }

    /// The permissions the role grants.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Admin => &Permission::ALL,
            Role::Supervisor => &[
                CustomerRead,
                CustomerWrite,
                TicketRead,
                TicketCreate,
                TicketUpdate,
                TicketAssign,
                TicketMerge,
                TicketReopen,
                AuditRead,
                FinanceRead,
                KnowledgeManage,
                PartsManage,
                ChargesManage,
            ],
            Role::Agent => &[
                CustomerRead,
                CustomerWrite,
                TicketRead,
                TicketCreate,
                TicketUpdate,
                TicketAssign,
                TicketMerge,
            ],
            Role::FieldEngineer => &[CustomerRead, TicketRead, TicketUpdate],
            Role::Finance => &[CustomerRead, TicketRead, FinanceRead, ChargesManage],
            // Customers act through scoped checks (`Actor::can_see_customer`), not these.
            Role::Customer => &[TicketRead, TicketCreate, TicketUpdate],
        }
    }
}

/// Who is acting, as far as access rules are concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user's id.
    pub user_id: Uuid,
    /// The user's role.
    pub role: Role,
    /// For portal users: the customer they belong to.
    pub customer_id: Option<Uuid>,
    /// For API tokens: the scopes the token was limited to (never more than the role grants).
    pub scopes: Option<Vec<Permission>>,
}

impl Actor {
    /// kefu itself, acting on what a channel brought in (a mail, a monitoring event): staff
    /// rights, but no user behind it, so nothing it writes names a user.
    pub fn system() -> Actor {
        Actor {
            user_id: Uuid::nil(),
            role: Role::Admin,
            customer_id: None,
            scopes: None,
        }
    }

    /// The user to record as author: none for [`Actor::system`].
    pub fn user_ref(&self) -> Option<Uuid> {
        (!self.user_id.is_nil()).then_some(self.user_id)
    }

    /// The permissions this actor holds right now: the role's, narrowed by token scopes.
    pub fn permissions(&self) -> Vec<Permission> {
        let role = self.role.permissions();
        match &self.scopes {
            Some(s) => role.iter().copied().filter(|p| s.contains(p)).collect(),
            None => role.to_vec(),
        }
    }

    /// Whether the actor holds `p`.
    pub fn has(&self, p: Permission) -> bool {
        self.role.permissions().contains(&p) && self.scopes.as_ref().is_none_or(|s| s.contains(&p))
    }

    /// Whether the actor may see data belonging to `customer_id`. Staff see every customer; a
    /// portal user sees only its own company, and a portal user with no company sees nothing.
    pub fn can_see_customer(&self, customer_id: Option<Uuid>) -> bool {
        if self.role.is_staff() {
            return true;
        }
        matches!((self.customer_id, customer_id), (Some(mine), Some(theirs)) if mine == theirs)
    }

    /// The customer a listing must be restricted to, if any.
    pub fn customer_scope(&self) -> Option<Uuid> {
        if self.role.is_staff() {
            None
        } else {
            // A portal user without a company is scoped to an id nothing has.
            Some(self.customer_id.unwrap_or(Uuid::nil()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, customer: Option<Uuid>) -> Actor {
        Actor {
            user_id: Uuid::now_v7(),
            role,
            customer_id: customer,
            scopes: None,
        }
    }

    #[test]
    fn customers_only_see_their_own_company() {
        let a = Uuid::now_v7();
        let b = Uuid::now_v7();
        let portal = actor(Role::Customer, Some(a));
        assert!(portal.can_see_customer(Some(a)));
        assert!(!portal.can_see_customer(Some(b)));
        assert!(!portal.can_see_customer(None));
        assert!(!actor(Role::Customer, None).can_see_customer(Some(a)));
        assert!(actor(Role::Agent, None).can_see_customer(Some(b)));
    }

    #[test]
    fn scopes_narrow_but_never_widen() {
        let mut a = actor(Role::Finance, None);
        a.scopes = Some(vec![Permission::TicketRead, Permission::UserManage]);
        assert!(a.has(Permission::TicketRead));
        assert!(!a.has(Permission::UserManage));
        assert!(!a.has(Permission::FinanceRead));
        assert_eq!(a.permissions(), vec![Permission::TicketRead]);
    }
}
