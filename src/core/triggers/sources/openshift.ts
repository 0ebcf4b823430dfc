/** The trigger sources OpenShift's image trigger controller registers (openshift-controller-manager pkg/cmd/controller/image.go). */
import type { TriggerSource } from '../trigger-index.js';
import { annotationSource } from './annotations.js';
import { buildConfigSource } from './buildconfigs.js';
import { deploymentConfigSource } from './deploymentconfigs.js';

/** DeploymentConfig and BuildConfig fields, and the trigger annotation. */
export const OPENSHIFT_TRIGGER_SOURCES: readonly TriggerSource[] = [
  deploymentConfigSource,
  annotationSource,
  buildConfigSource,
];
