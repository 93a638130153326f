import "../../infra/local/polyfills";
