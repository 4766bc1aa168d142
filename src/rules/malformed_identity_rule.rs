use super::fix_values;
use super::{edit_distance, Context, Rule, Sink};
use crate::model::{is_guid, is_placeholder};
use crate::model::{PolicyRule, Role, Str, IDENTITY_API_GROUP, USE_MANAGED_IDENTITY};

/// IB306: a rule evidently meant for identity bindings with a typo in its verb or API group, a
/// resource that is not a client id (GUID), or client ids in `resourceNames`.
pub(super) struct MalformedIdentityRule;

fn near(s: &Str, target: &str) -> bool {
    s.value != target && s.value != "*" && edit_distance(&s.value.to_ascii_lowercase(), target) <= 3
}

fn exact(list: &[Str], target: &str) -> bool {
    list.iter().any(|s| s.value == target)
}

impl Rule for MalformedIdentityRule {
    fn id(&self) -> &'static str {
        "IB306"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for (role, rule) in cx.inventory.authored_rules().filter(|(role, _)| cx.reports_on(&role.meta)) {
            check_rule(sink, role, rule);
        }
    }
}

fn check_rule(sink: &mut Sink, role: &Role, rule: &PolicyRule) {
    // Named only in a finding: most rules have none.
    let whose = || role.meta.object_ref();
    let verb_ok = exact(rule.verbs(), USE_MANAGED_IDENTITY);
    let group_ok = exact(rule.api_groups(), IDENTITY_API_GROUP);
    let verb_typo = rule.verbs().iter().find(|v| near(v, USE_MANAGED_IDENTITY));
    let group_typo = rule.api_groups().iter().find(|g| near(g, IDENTITY_API_GROUP));
    if let Some(v) = verb_typo.filter(|_| group_ok || group_typo.is_some()) {
        report(
            sink,
            role,
            v,
            format!("{} has the verb `{}`, not `{USE_MANAGED_IDENTITY}`: the rule grants nothing", whose(), v.value),
            format!("verbs: [\"{USE_MANAGED_IDENTITY}\"]"),
        );
    }
    if let Some(g) = group_typo.filter(|_| verb_ok || verb_typo.is_some()) {
        report(
            sink,
            role,
            g,
            format!("{} has the API group `{}`, not `{IDENTITY_API_GROUP}`: the rule grants nothing", whose(), g.value),
            format!("apiGroups: [\"{IDENTITY_API_GROUP}\"]"),
        );
    }
    if !(verb_ok && group_ok) {
        return;
    }
    for r in rule.resources().iter().filter(|r| r.value != "*" && !is_guid(&r.value) && !is_placeholder(&r.value)) {
        report(
            sink,
            role,
            r,
            format!("{} grants `{USE_MANAGED_IDENTITY}` for `{}`, which is not a client id (a GUID)", whose(), r.value),
            "resources: [\"<client-id GUID>\"]".into(),
        );
    }
    if let Some(n) = rule.resource_names().first() {
        report(
            sink,
            role,
            n,
            format!("{} lists `{}` in resourceNames: identity bindings check the client id as the resource, and a rule limited to resourceNames never matches", whose(), n.value),
            format!("resources: [\"{}\"]   # and no resourceNames", fix_values::guid_or(&n.value, fix_values::CLIENT_ID)),
        );
    }
}

fn report(sink: &mut Sink, role: &Role, at: &Str, message: String, fix: String) {
    sink.emit_on(&role.meta, at.span, message)
        .help(format!("Write the rule as identity bindings expect:\n\n    {fix}"));
}
