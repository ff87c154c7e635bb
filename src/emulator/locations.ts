/** The regions the demo estate places resource groups and resources in (canonical names). */
export const LOCATIONS: readonly string[] = ['eastus', 'westeurope', 'northeurope', 'westus2', 'uksouth'];
