//! Case-insensitive "contains" on a text column that behaves the same on both backends.

use sea_orm::ColumnTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, SimpleExpr};

/// `LOWER(col) LIKE '%q%'` with `%`, `_` and `\` in `q` taken literally. LOWER on both sides
/// because SQLite's LIKE ignores ASCII case and PostgreSQL's does not; the ESCAPE clause
/// because SQLite has no default escape character.
pub fn contains_ci<C: ColumnTrait>(col: C, q: &str) -> SimpleExpr {
    let pat = format!("%{}%", escaped(q));
    Expr::expr(Func::lower(Expr::col(col))).like(LikeExpr::new(pat).escape('\\'))
}

fn escaped(q: &str) -> String {
    q.to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// `LOWER(col) LIKE '%suffix'` with the suffix taken literally (an email domain).
pub fn ends_with_ci<C: ColumnTrait>(col: C, suffix: &str) -> SimpleExpr {
    Expr::expr(Func::lower(Expr::col(col)))
        .like(LikeExpr::new(format!("%{}", escaped(suffix))).escape('\\'))
}
