import { readFileSync } from 'node:fs';
import {
  PrometheusRule,
  ServiceMonitor,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Ajv } from 'ajv';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import {
  ConfigMap,
  Namespace,
  Service,
  ServiceAccount,
} from 'kubernetes-models/v1';
import type { Manifest } from './manifests.ts';

type KubernetesModel = new (data: never) => { validate(): void };

/**
 * Kubernetes' own kinds, validated by kubernetes-models against the API's OpenAPI schemas, and
 * the Prometheus Operator's, validated by its sibling package against schemas generated from the
 * Operator's API types (the ones its CRDs are generated from).
 */
const modelKinds: Record<string, KubernetesModel> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
};

type JsonSchema = { [keyword: string]: unknown };

/**
 * The API server's strict field validation (kubectl's default) rejects fields that a custom
 * resource's schema does not declare; ajv only does so where the schema says
 * `additionalProperties: false`, so it is added wherever the CRD lists properties.
 */
function withUnknownFieldsRejected(schema: JsonSchema): JsonSchema {
  const copy: JsonSchema = { ...schema };
  if (copy.properties && typeof copy.properties === 'object') {
    copy.properties = Object.fromEntries(
      Object.entries(copy.properties as Record<string, JsonSchema>).map(
        ([name, property]) => [name, withUnknownFieldsRejected(property)],
      ),
    );
    copy.additionalProperties ??= false;
  }
  if (copy.items && typeof copy.items === 'object') {
    copy.items = withUnknownFieldsRejected(copy.items as JsonSchema);
  }
  return copy;
}

const ajv = new Ajv({ allErrors: true });

/** Custom resources, validated with ajv against the schema their CRD publishes (vendored). */
const customKinds: Record<string, ReturnType<Ajv['compile']>> = {
  'secrets-store.csi.x-k8s.io/v1/SecretProviderClass': ajv.compile(
    withUnknownFieldsRejected(
      JSON.parse(
        readFileSync(
          new URL('../schemas/secretproviderclass.v1.json', import.meta.url),
          'utf8',
        ),
      ),
    ),
  ),
};

/** What is wrong with a manifest according to its kind's schema; empty when it is valid. */
export function schemaErrors(manifest: Manifest): string[] {
  const id = `${manifest.apiVersion}/${manifest.kind}`;
  const Model = modelKinds[id];
  if (Model) {
    try {
      new Model(manifest as never).validate();
      return [];
    } catch (error) {
      return [(error as Error).message];
    }
  }
  const validate = customKinds[id];
  if (validate) {
    if (validate(manifest)) return [];
    return (validate.errors ?? []).map(
      error =>
        `${error.instancePath || '/'} ${error.message}${
          error.keyword === 'additionalProperties'
            ? ` (${
                (error.params as { additionalProperty: string })
                  .additionalProperty
              })`
            : ''
        }`,
    );
  }
  return [
    `no schema is known for ${id}: add its kubernetes-models class or its CRD schema to deploy/src/schemaValidation.ts`,
  ];
}
