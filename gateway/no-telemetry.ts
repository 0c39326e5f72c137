/**
 * Nothing leaves the network: @apollo/gateway starts an anonymous OpenTelemetry data-collection
 * exporter (to Apollo) unless APOLLO_TELEMETRY_DISABLED is set. server.ts imports this module
 * first, so the variable is set before any Apollo module is evaluated or constructed, whatever
 * the environment says.
 */
process.env.APOLLO_TELEMETRY_DISABLED = '1';
