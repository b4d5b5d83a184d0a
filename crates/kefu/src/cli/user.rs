//! `kefu user …`: manage users from the command line (as the system, not as a user).

use kefu_app::users::{NewUser, create_user};
use uuid::Uuid;

use crate::config::Config;

/// `kefu user` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create a user; without --password one is generated and printed once.
    Create(CreateArgs),
}

/// Flags of `kefu user create`.
#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    /// Login email.
    #[arg(long)]
    email: String,
    /// Display name.
    #[arg(long)]
    name: String,
    /// admin, supervisor, agent, field_engineer, finance or customer.
    #[arg(long)]
    role: String,
    /// Initial password (at least 10 characters). Visible in the process list and shell
    /// history: prefer letting kefu generate one.
    #[arg(long)]
    password: Option<String>,
    /// For role `customer`: the customer the portal user belongs to.
    #[arg(long)]
    customer_id: Option<Uuid>,
}

/// Runs the subcommand.
pub async fn run(cfg: Config, cmd: Command) -> anyhow::Result<()> {
    let Command::Create(args) = cmd;
    let app = super::open_app(&cfg).await?;
    let req = NewUser {
        email: args.email,
        name: args.name,
        role: args.role,
        password: args.password,
        customer_id: args.customer_id,
        ..NewUser::default()
    };
    let created = create_user(&app, None, req).await.map_err(describe)?;
    println!(
        "created user {} ({}, {})",
        created.email, created.role, created.id
    );
    if let Some(password) = &created.generated_password {
        println!("password: {password}");
        println!("此密码只显示这一次 / shown only once");
    }
    app.store.clone().close().await?;
    Ok(())
}

/// Spells out field errors, which the generic message hides.
fn describe(e: kefu_app::AppError) -> anyhow::Error {
    match e {
        kefu_app::AppError::Invalid(fields) => {
            let lines: Vec<String> = fields
                .iter()
                .map(|f| {
                    format!(
                        "  --{}: {} ({})",
                        f.field.replace('_', "-"),
                        f.message,
                        f.code
                    )
                })
                .collect();
            anyhow::anyhow!("the user was not created:\n{}", lines.join("\n"))
        }
        other => anyhow::Error::new(other).context("the user was not created"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_name_the_flag() {
        let e = kefu_app::AppError::Invalid(vec![kefu_app::FieldError::new(
            "customer_id",
            "required",
            "portal users belong to a customer",
        )]);
        let msg = format!("{:#}", describe(e));
        assert!(msg.contains("--customer-id"), "{msg}");
    }
}
