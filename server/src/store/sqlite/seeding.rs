//! Writing the demo data (or any people and their memberships) into an empty database.

use rusqlite::{params, TransactionBehavior};

use super::Sqlite;
use crate::store::model::{in_access_order, LeaveBlock, Membership, StoreResult, User};
use crate::store::name_key::organization_key;

impl Sqlite {
    /// Stores `people` and their memberships (each list in list order, each with its name key)
    /// if there is no user yet, in one transaction. An organization several people belong to is stored once. Returns how
    /// many memberships were created, or `None` when the database already had data (and nothing
    /// was written).
    pub fn seed_if_empty(&self, people: &[(User, Vec<Membership>)]) -> StoreResult<Option<usize>> {
        let mut conn = self.conn()?;
        // Read first: a database with data needs no write lock (another process may hold it).
        let has_user: bool =
            conn.query_row("SELECT EXISTS (SELECT 1 FROM users)", [], |row| row.get(0))?;
        if has_user {
            return Ok(None);
        }
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let has_user: bool =
            tx.query_row("SELECT EXISTS (SELECT 1 FROM users)", [], |row| row.get(0))?;
        if has_user {
            return Ok(None);
        }
        let mut count = 0;
        {
            let mut insert_user = tx.prepare(
                "INSERT INTO users (id, display_name, user_principal_name) VALUES (?1, ?2, ?3)",
            )?;
            let mut insert_org = tx.prepare(
                "INSERT OR IGNORE INTO organizations
                     (id, display_name, default_domain, privacy_email, privacy_statement_url)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            let mut insert_domain = tx.prepare(
                "INSERT OR IGNORE INTO organization_domains (organization_id, ordinal, domain)
                 VALUES (?1, ?2, ?3)",
            )?;
            let mut insert_membership = tx.prepare(
                "INSERT INTO memberships (user_id, organization_id, position, tenant_category,
                     joined_at, last_sign_in_at, leave_blocked_reason, name_key)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            let mut insert_access = tx.prepare(
                "INSERT INTO access_items (user_id, organization_id, position, id, kind,
                     display_name, last_used_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for (user, organizations) in people {
                insert_user.execute(params![
                    user.id,
                    user.display_name,
                    user.user_principal_name
                ])?;
                for (position, org) in (1_i64..).zip(organizations) {
                    insert_org.execute(params![
                        org.organization_id,
                        org.display_name,
                        org.default_domain,
                        org.privacy_email,
                        org.privacy_statement_url
                    ])?;
                    for (ordinal, domain) in (0_i64..).zip(&org.domains) {
                        insert_domain.execute(params![org.organization_id, ordinal, domain])?;
                    }
                    insert_membership.execute(params![
                        user.id,
                        org.organization_id,
                        position,
                        org.category.as_str(),
                        org.joined_at,
                        org.last_sign_in_at,
                        org.leave_block.map(LeaveBlock::as_str),
                        organization_key(&org.display_name, &org.default_domain),
                    ])?;
                    for (position, item) in (1_i64..).zip(in_access_order(&org.access)) {
                        insert_access.execute(params![
                            user.id,
                            org.organization_id,
                            position,
                            item.id,
                            item.kind.as_str(),
                            item.display_name,
                            item.last_used_at,
                        ])?;
                    }
                    count += 1;
                }
            }
        }
        tx.commit()?;
        Ok(Some(count))
    }
}
