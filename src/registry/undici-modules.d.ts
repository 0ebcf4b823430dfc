// undici's own modules, imported one by one by ./undici.ts (undici ships types for its index only).
declare module 'undici/lib/dispatcher/agent.js' {
  const value: unknown;
  export default value;
}
declare module 'undici/lib/dispatcher/client.js' {
  const value: unknown;
  export default value;
}
declare module 'undici/lib/dispatcher/pool.js' {
  const value: unknown;
  export default value;
}
declare module 'undici/lib/core/connect.js' {
  const value: unknown;
  export default value;
}
declare module 'undici/lib/api/api-request.js' {
  const value: unknown;
  export default value;
}
