// Public surface of the package: components, their argument types, and the pure policy builders.
export { PackagesStorage, PackagesStorageArgs, PackagesStorageGhesArgs, ExistingBucketArgs } from "./components/packagesStorage";
export { SecureBucket, SecureBucketArgs, BucketAccessLoggingArgs, SECURE_BUCKET_DEFAULTS } from "./components/secureBucket";
export { StorageIdentity, StorageIdentityArgs, STORAGE_IDENTITY_DEFAULTS } from "./components/storageIdentity";
export { GhesPackagesSettings, GhesPackagesSettingsArgs, GhesConnectionArgs, GhesBehaviourArgs, GhesStorageArgs } from "./components/ghesPackagesSettings";
export { ghesIdentityPolicy, GHES_BUCKET_ACTIONS, GHES_OBJECT_ACTIONS, GHES_KMS_ACTIONS, PolicyDocument } from "./policies/identityPolicy";
export { ghesBucketPolicy } from "./policies/bucketPolicy";
export { s3ServiceUrl } from "./policies/s3Endpoint";
export { InputError } from "./validation/inputError";
export { GHES_FIELDS, GhesSettingsFields, OnDelete } from "./provider/fields";
export { PASSWORD_ENV } from "./provider/inputs";
// The dynamic provider itself, for driving it directly (e.g. through the dynamic-provider host).
export { ghesSettingsProvider } from "./provider/serializableProvider";
