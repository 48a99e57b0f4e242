// wgsl_reflect's "main" is a CommonJS build inside an ESM package, which Node cannot load; its ESM
// build is imported by path, and this gives that path the package's own types.
declare module 'wgsl_reflect/wgsl_reflect.module.js' {
  export * from 'wgsl_reflect';
}
