//! Authentication: passwords, login sessions with CSRF tokens, API tokens, login rate limit.

pub mod passwords;
pub mod rate_limit;
pub mod sessions;
pub mod token_cache;
pub mod tokens;

mod secret;

pub use secret::{random_token, sha256_hex};

use kefu_domain::access::{Actor, Role};
use kefu_store::entity::user;

/// Builds the access-rule actor for a stored user.
pub fn actor_for(u: &user::Model) -> Actor {
    Actor {
        user_id: u.id,
        role: Role::parse(&u.role).unwrap_or(Role::Customer),
        customer_id: u.customer_id,
        scopes: None,
    }
}
