/** The stored form of a function version's configuration ($LATEST or a published N). */
export type FunctionState = 'Pending' | 'Active' | 'Inactive' | 'Failed';
export type LastUpdateStatus = 'Successful' | 'Failed' | 'InProgress';

export interface LoggingConfig {
  LogFormat: 'Text' | 'JSON';
  ApplicationLogLevel?: string;
  SystemLogLevel?: string;
  LogGroup: string;
}

export interface VpcConfig {
  SubnetIds: string[];
  SecurityGroupIds: string[];
  Ipv6AllowedForDualStack?: boolean;
}

export interface FunctionVersion {
  functionName: string;
  version: string; // '$LATEST' or '1', '2', ...
  runtime: string;
  role: string;
  handler: string;
  description: string;
  timeout: number;
  memorySize: number;
  environment: Record<string, string>;
  layers: { arn: string; codeSize: number }[];
  architectures: string[];
  ephemeralStorageSize: number;
  loggingConfig: LoggingConfig;
  tracingMode: 'Active' | 'PassThrough';
  deadLetterTargetArn?: string;
  kmsKeyArn?: string;
  vpcConfig?: VpcConfig;
  fileSystemConfigs?: { Arn: string; LocalMountPath: string }[];
  snapStartApplyOn: 'PublishedVersions' | 'None';
  codeSha256: string; // base64, as AWS shows it
  codeSize: number;
  codeKey: string; // hex sha256: the blob's key in the code store
  unzippedSize: number;
  lastModified: number; // epoch ms
  revisionId: string;
  state: FunctionState;
  stateReason?: string;
  stateReasonCode?: string;
  lastUpdateStatus: LastUpdateStatus;
  lastUpdateStatusReason?: string;
  lastUpdateStatusReasonCode?: string;
}

/** Per-function (not per-version) state. */
export interface FunctionMeta {
  functionName: string;
  tags: Record<string, string>;
  reservedConcurrency?: number;
  /** Highest version number ever published; numbers are never reused, even after deletion. */
  lastPublishedVersion: number;
  createdAt: number;
}

export interface AliasRecord {
  functionName: string;
  name: string;
  functionVersion: string;
  description: string;
  additionalVersionWeights?: Record<string, number>;
  revisionId: string;
}

export type ProvisionedConcurrencyStatus = 'IN_PROGRESS' | 'READY' | 'FAILED';

/** A provisioned-concurrency config of one version or alias; status fields are reported by the invoke layer. */
export interface ProvisionedConcurrencyRecord {
  functionName: string;
  qualifier: string;
  requested: number;
  available: number;
  allocated: number;
  status: ProvisionedConcurrencyStatus;
  statusReason?: string;
  lastModified: number; // epoch ms
}

export interface LayerVersionRecord {
  layerName: string;
  version: number;
  description: string;
  createdDate: number; // epoch ms
  compatibleRuntimes?: string[];
  compatibleArchitectures?: string[];
  licenseInfo?: string;
  codeKey: string;
  codeSha256: string;
  codeSize: number;
  unzippedSize: number;
}

/** One IAM-style statement as AddPermission builds it. */
export type PolicyStatement = Record<string, unknown> & { Sid: string };

export interface PolicyRecord {
  statements: PolicyStatement[];
  revisionId: string;
}

/** Collection keys. Version numbers are zero-padded so keys sort numerically; `$` sorts before digits. */
export const versionKey = (name: string, version: string): string =>
  `${name}/${version === '$LATEST' ? '$LATEST' : version.padStart(10, '0')}`;
export const childKey = (name: string, child: string): string => `${name}/${child}`;
export const layerVersionKey = (layer: string, version: number): string => `${layer}/${String(version).padStart(10, '0')}`;
