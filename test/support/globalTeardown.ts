export default async function globalTeardown(): Promise<void> {
  const servers = (globalThis as Record<string, unknown>).__cporTestServers as
    { cosmos: { close(): Promise<void> }; blob: { close(): Promise<void> } } | undefined;
  await servers?.cosmos.close();
  await servers?.blob.close();
}
