//! Two-trace mode: the roles of the files of a `triage_roles` request (mapping traces,
//! captured with CUDA graphs off, first; then formal ones).

/// Checks the roles of `files` files (`mapping` ones first, then `formal` ones, at least
/// one of each) and returns the number of mapping files.
///
/// # Errors
/// A sentence for the page when the roles do not fit.
pub(super) fn check_roles(roles: &[String], files: usize) -> Result<usize, String> {
    if roles.len() != files {
        return Err(format!("{} roles for {files} files", roles.len()));
    }
    let mapping = roles.iter().take_while(|r| r.as_str() == "mapping").count();
    if let Some(bad) = roles.iter().skip(mapping).find(|r| r.as_str() != "formal") {
        return Err(format!("unexpected role {bad:?}: mapping files come first, then formal ones"));
    }
    if mapping == 0 || mapping == files {
        return Err("two-trace mode needs at least one mapping and one formal trace".into());
    }
    Ok(mapping)
}

#[cfg(test)]
mod tests {
    use super::check_roles;

    fn roles(r: &[&str]) -> Vec<String> {
        r.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn roles_need_mapping_first_and_both_kinds() {
        assert_eq!(check_roles(&roles(&["mapping", "formal", "formal"]), 3), Ok(1));
        assert!(check_roles(&roles(&["formal", "mapping"]), 2).is_err());
        assert!(check_roles(&roles(&["mapping", "mapping"]), 2).is_err());
        assert!(check_roles(&roles(&["mapping"]), 2).is_err());
        assert!(check_roles(&roles(&["mapping", "other"]), 2).is_err());
    }
}
