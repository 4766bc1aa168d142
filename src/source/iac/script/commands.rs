//! Which commands write a federated credential, and which bind an identity to a cluster:
//! `az identity federated-credential create|update|delete`, the Az PowerShell
//! `New-/Update-/Set-/Remove-AzFederatedIdentityCredential(s)`, `az resource` and the
//! `*-AzResource` cmdlets on `…/federatedIdentityCredentials/…`, REST writes (`az rest`, `curl`,
//! `Invoke-RestMethod`, `Invoke-WebRequest`, `Invoke-AzRestMethod` with PUT, PATCH or DELETE),
//! and `az aks identity-binding create`. Reads (`show`, `list`, `Get-…`, GET) are not writes.

use std::sync::Arc;

use crate::model::{FederatedCredential, FicAction, IdentityBindingResource, Origin, SharedStr, Str};
use crate::source::iac::resources::within;
use crate::source::iac::value::Text;
use crate::span::Span;

/// A command argument with its variables expanded.
#[derive(Clone, Debug)]
pub(super) struct Arg {
    pub text: Text,
    /// Where the argument is written (for splatted values: the `@name` word).
    pub span: Span,
}

impl Arg {
    fn known_lower(&self) -> Option<String> {
        self.text.known().map(|t| t.to_ascii_lowercase())
    }
}

/// What one command does to credentials.
pub(super) enum Found {
    Credential(Box<FederatedCredential>),
    Binding(IdentityBindingResource),
}

const FIC_SEGMENT: &str = "/federatedidentitycredentials/";
const IDENTITY_SEGMENT: &str = "/userassignedidentities/";

/// The command `args` (its first word the command name), if it touches credentials.
pub(super) fn recognize(args: &[Arg], path: &Arc<str>) -> Option<Found> {
    let head: Vec<String> = args.iter().take(4).map(|a| a.known_lower().unwrap_or_default()).collect();
    let word = |i: usize| head.get(i).map(String::as_str).unwrap_or("");
    match word(0) {
        "az" => match (word(1), word(2)) {
            ("identity", "federated-credential") => az_federated_credential(args, word(3), path),
            ("resource", _) => az_resource(args, word(2), path),
            ("rest", _) => rest(args, "az rest", &["--method", "-m"], &["--url", "--uri", "-u"], "GET", path),
            ("aks", "identity-binding") if word(3) == "create" => Some(Found::Binding(az_identity_binding(args, path))),
            _ => None,
        },
        "curl" => rest(
            args,
            "curl",
            &["-x", "--request"],
            &[],
            if has_flag(args, &["-d", "--data", "--data-raw", "-f", "--form"]) { "POST" } else { "GET" },
            path,
        ),
        "invoke-restmethod" | "irm" | "invoke-webrequest" | "iwr" => {
            rest(args, &display_of(&args[0]), &["-method"], &["-uri"], "GET", path)
        }
        "invoke-azrestmethod" => rest(args, "Invoke-AzRestMethod", &["-method"], &["-path", "-uri"], "GET", path),
        cmdlet
            if cmdlet.ends_with("-azfederatedidentitycredential")
                || cmdlet.ends_with("-azfederatedidentitycredentials") =>
        {
            az_cmdlet(args, cmdlet, path)
        }
        "new-azresource" | "set-azresource" | "remove-azresource" => az_resource_cmdlet(args, word(0), path),
        _ => None,
    }
}

fn display_of(arg: &Arg) -> String {
    arg.text.known().unwrap_or_default()
}

fn blank(display: String, action: FicAction, path: &Arc<str>, at: Span) -> FederatedCredential {
    FederatedCredential {
        display: display.into(),
        origin: Origin::file(path.clone()),
        meta: None,
        action,
        name: None,
        name_source: None,
        unresolved_name: None,
        anchor: Span::at(at.start()),
        identity: None,
        issuer: None,
        subject: None,
        audiences: Box::default(),
        reconcile_skip: false,
        repeated: false,
        trail: Box::default(),
        deployment: None,
    }
}

/// The value of the first of `flags` present: `--name x`, `--name=x`, `-Name:x` (any case).
pub(super) fn flag(args: &[Arg], flags: &[&str]) -> Option<Arg> {
    for (i, a) in args.iter().enumerate() {
        let Some(lower) = a.known_lower().or_else(|| a.text.until(&['=', ':']).known().map(|t| t.to_ascii_lowercase()))
        else {
            continue;
        };
        for f in flags {
            if lower == *f {
                return args.get(i + 1).cloned();
            }
            for sep in ['=', ':'] {
                if let Some(rest) = a.text.strip_prefix(&format!("{f}{sep}")) {
                    return Some(Arg { text: rest, span: a.span });
                }
            }
        }
    }
    None
}

/// Every value after the first of `flags`, up to the next flag (`--audiences a b`, `--ids x y`).
fn flag_values(args: &[Arg], flags: &[&str]) -> Vec<Arg> {
    let Some(at) = args.iter().position(|a| a.known_lower().is_some_and(|l| flags.contains(&l.as_str()))) else {
        return flag(args, flags).into_iter().collect();
    };
    args[at + 1..].iter().take_while(|a| !a.known_lower().is_some_and(|l| l.starts_with('-'))).cloned().collect()
}

fn has_flag(args: &[Arg], flags: &[&str]) -> bool {
    args.iter()
        .any(|a| a.known_lower().is_some_and(|l| flags.iter().any(|f| l == *f || l.starts_with(&format!("{f}=")))))
}

/// Fills the name of `fic` from an argument: known, it is the name at the argument (with where
/// its text came from when that is elsewhere); unknown, the argument is where the note points.
fn set_name(fic: &mut FederatedCredential, arg: &Arg, text: &Text) {
    match text.known().filter(|n| !n.is_empty()) {
        Some(name) => {
            fic.name = Some(Str { value: name.into(), span: arg.span });
            fic.name_source = text.first_src().filter(|s| !within(*s, arg.span));
        }
        None => fic.unresolved_name = Some(arg.span),
    }
}

/// A name written `<identity>/<credential>`: the last segment may be known when the identity is
/// not.
fn set_qualified_name(fic: &mut FederatedCredential, arg: &Arg) {
    match arg.text.split_last('/') {
        Some((tail, src, head)) if !tail.is_empty() => {
            set_name(fic, arg, &Text::literal(&tail, src));
            fic.identity = head.and_then(|h| h.known()).map(Into::into);
        }
        _ => fic.unresolved_name = Some(arg.span),
    }
}

fn known_str(arg: Option<Arg>) -> Option<Str> {
    let arg = arg?;
    arg.text.known().map(|v| Str { value: v.into(), span: arg.span })
}

fn az_federated_credential(args: &[Arg], verb: &str, path: &Arc<str>) -> Option<Found> {
    let action = match verb {
        "create" => FicAction::Create,
        "update" => FicAction::Update,
        "delete" => FicAction::Delete,
        _ => return None, // show, list: reads
    };
    let mut fic = blank(format!("az identity federated-credential {verb}"), action, path, args[0].span);
    if let Some(name) = flag(args, &["--name", "-n"]) {
        set_name(&mut fic, &name, &name.text.clone());
    }
    fic.identity = flag(args, &["--identity-name"]).and_then(|a| a.text.known()).map(Into::into);
    fic.issuer = known_str(flag(args, &["--issuer"])).map(SharedStr::from);
    fic.subject = known_str(flag(args, &["--subject"]));
    fic.audiences = flag_values(args, &["--audiences", "--audience"])
        .into_iter()
        .filter_map(|a| known_str(Some(a)).map(SharedStr::from))
        .collect();
    Some(Found::Credential(Box::new(fic)))
}

fn az_cmdlet(args: &[Arg], cmdlet: &str, path: &Arc<str>) -> Option<Found> {
    let action = match cmdlet.split('-').next() {
        Some("new") => FicAction::Create,
        Some("update" | "set") => FicAction::Update,
        Some("remove") => FicAction::Delete,
        _ => return None, // Get-: reads
    };
    let mut fic = blank(display_of(&args[0]), action, path, args[0].span);
    if let Some(name) = flag(args, &["-name"]) {
        set_name(&mut fic, &name, &name.text.clone());
    }
    fic.identity = flag(args, &["-identityname"]).and_then(|a| a.text.known()).map(Into::into);
    fic.issuer = known_str(flag(args, &["-issuer"])).map(SharedStr::from);
    fic.subject = known_str(flag(args, &["-subject"]));
    fic.audiences =
        flag_values(args, &["-audience"]).into_iter().filter_map(|a| known_str(Some(a)).map(SharedStr::from)).collect();
    Some(Found::Credential(Box::new(fic)))
}

/// A resource id or URL naming a credential: its name (the segment after
/// `/federatedIdentityCredentials/`) and identity, into `fic`. `false` when it names none.
fn from_id(fic: &mut FederatedCredential, arg: &Arg) -> bool {
    let Some(rest) = arg.text.after(FIC_SEGMENT) else { return false };
    let name = rest.until(&['?', '/', '#', '"', '\'', ' ']);
    set_name(fic, arg, &name);
    fic.identity = arg.text.after(IDENTITY_SEGMENT).and_then(|t| t.until(&['/', '?']).known()).map(Into::into);
    true
}

/// A resource type that is a managed identity's credential (with or without its namespace).
fn is_credential_type(ty: &str) -> bool {
    ty.to_ascii_lowercase().ends_with("federatedidentitycredentials")
}

fn az_resource(args: &[Arg], verb: &str, path: &Arc<str>) -> Option<Found> {
    let action = match verb {
        "create" => FicAction::Create,
        "update" | "tag" | "patch" => FicAction::Update,
        "delete" => FicAction::Delete,
        _ => return None, // show, list, wait: reads
    };
    let display = format!("az resource {verb}");
    if let Some(id) = flag_values(args, &["--ids"]).into_iter().find(|a| a.text.after(FIC_SEGMENT).is_some()) {
        let mut fic = blank(display, action, path, args[0].span);
        from_id(&mut fic, &id);
        return Some(Found::Credential(Box::new(fic)));
    }
    let ty = flag(args, &["--resource-type"])?.text.known()?;
    if !is_credential_type(&ty) {
        return None;
    }
    let mut fic = blank(display, action, path, args[0].span);
    let name = flag(args, &["--name", "-n"]);
    let parent = flag(args, &["--parent"]).and_then(|p| p.text.known());
    match (name, parent) {
        (Some(name), Some(parent)) => {
            set_name(&mut fic, &name, &name.text.clone());
            fic.identity = parent.rsplit('/').next().map(Into::into);
        }
        // Without `--parent` the name is `<identity>/<credential>`.
        (Some(name), None) => set_qualified_name(&mut fic, &name),
        (None, _) => fic.unresolved_name = Some(args[0].span),
    }
    Some(Found::Credential(Box::new(fic)))
}

fn az_resource_cmdlet(args: &[Arg], cmdlet: &str, path: &Arc<str>) -> Option<Found> {
    let action = match cmdlet {
        "new-azresource" => FicAction::Create,
        "set-azresource" => FicAction::Update,
        _ => FicAction::Delete,
    };
    let mut fic = blank(display_of(&args[0]), action, path, args[0].span);
    if let Some(id) = flag(args, &["-resourceid", "-id"]) {
        return from_id(&mut fic, &id).then(|| Found::Credential(Box::new(fic)));
    }
    let ty = flag(args, &["-resourcetype"])?.text.known()?;
    if !is_credential_type(&ty) {
        return None;
    }
    match flag(args, &["-resourcename", "-name"]) {
        Some(name) => set_qualified_name(&mut fic, &name),
        None => fic.unresolved_name = Some(args[0].span),
    }
    Some(Found::Credential(Box::new(fic)))
}

/// A REST call: PUT (create), PATCH (update) and DELETE on a credential's URL write it; GET (and
/// every other method) reads. `urls`: the flags that give the URL; without any, the first
/// argument that names a credential.
fn rest(args: &[Arg], tool: &str, methods: &[&str], urls: &[&str], default: &str, path: &Arc<str>) -> Option<Found> {
    let method =
        flag(args, methods).and_then(|m| m.text.known()).unwrap_or_else(|| default.to_string()).to_ascii_uppercase();
    let action = match method.as_str() {
        "PUT" => FicAction::Create,
        "PATCH" => FicAction::Update,
        "DELETE" => FicAction::Delete,
        _ => return None,
    };
    let url = urls
        .iter()
        .find_map(|u| flag(args, &[u]))
        .filter(|u| u.text.after(FIC_SEGMENT).is_some())
        .or_else(|| args[1..].iter().find(|a| a.text.after(FIC_SEGMENT).is_some()).cloned());
    let mut fic = blank(format!("{tool} {method}"), action, path, args[0].span);
    if let Some(url) = url {
        from_id(&mut fic, &url);
        return Some(Found::Credential(Box::new(fic)));
    }
    // `Invoke-AzRestMethod -ResourceProviderName … -ResourceType …/federatedIdentityCredentials -Name id/x`
    let ty = flag(args, &["-resourcetype"])?.text.known()?;
    if !is_credential_type(&ty) {
        return None;
    }
    set_qualified_name(&mut fic, &flag(args, &["-name"])?);
    Some(Found::Credential(Box::new(fic)))
}

fn az_identity_binding(args: &[Arg], path: &Arc<str>) -> IdentityBindingResource {
    let identity = flag(args, &["--managed-identity-resource-id"]).and_then(|a| {
        let id = a.text.after(IDENTITY_SEGMENT).map(|t| t.until(&['/', '?']));
        id.and_then(|t| t.known()).or_else(|| a.text.known())
    });
    IdentityBindingResource {
        display: "az aks identity-binding create".into(),
        origin: Origin::file(path.clone()),
        anchor: Span::at(args[0].span.start()),
        name: known_str(flag(args, &["--name", "-n"])),
        identity,
        cluster: flag(args, &["--cluster-name"]).and_then(|a| a.text.known()),
    }
}
