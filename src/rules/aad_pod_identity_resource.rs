use super::fix_values;
use super::{Context, Rule, Sink};

/// IB501: an object of the deprecated aad-pod-identity (`aadpodidentity.k8s.io`).
pub(super) struct AadPodIdentityResource;

impl Rule for AadPodIdentityResource {
    fn id(&self) -> &'static str {
        "IB501"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for l in &cx.inventory.legacy {
            let help = match (&l.meta.kind[..], &l.client_id) {
                ("AzureIdentity", Some(id)) => format!(
                    "Migrate to workload identity: a ServiceAccount takes the AzureIdentity's place, pods run as it and \
                     carry the label.\n\n    apiVersion: v1\n    kind: ServiceAccount\n    metadata:\n      name: {}\n      \
                     namespace: {}\n      annotations:\n        azure.workload.identity/client-id: \"{}\"{}\n\nand on the pod \
                     template: `serviceAccountName: {}` and the label `azure.workload.identity/use: \"true\"`; then add a \
                     federated credential (or an identity binding) for the ServiceAccount.",
                    fix_values::object_name(&l.meta.name),
                    fix_values::namespace(&l.meta.namespace),
                    fix_values::guid_or(&id.value, fix_values::CLIENT_ID),
                    l.tenant_id.as_ref().map_or(String::new(), |t| format!(
                        "\n        azure.workload.identity/tenant-id: \"{}\"",
                        fix_values::guid_or(&t.value, fix_values::TENANT_ID)
                    )),
                    fix_values::object_name(&l.meta.name)
                ),
                _ => "Migrate to workload identity (ServiceAccount with `azure.workload.identity/client-id`, pods labelled \
                      `azure.workload.identity/use: \"true\"`) and remove this object."
                    .to_string(),
            };
            sink.emit_on(
                &l.meta,
                l.meta.kind_span,
                format!(
                    "{} belongs to aad-pod-identity, deprecated since 2022 and unsupported on AKS since September 2025",
                    l.meta.object_ref()
                ),
            )
            .help(help);
        }
    }
}
