// The CPOR claims bot on Azure: Azure Bot (Teams channel), the bot on Azure Container Apps (two or more
// replicas, liveness and readiness probes), the timer sweep as one scheduled Container Apps job, Azure
// Cosmos DB (serverless) with the database and every container the bot uses, a Storage account with the
// private PoE container, Application Insights on a Log Analytics workspace, and one user-assigned managed
// identity through which the bot reaches Cosmos DB, Storage and the container registry: no account key
// is in any setting, and key access is switched off on both data stores.
//
// Deployed by the Agents Toolkit (m365agents.yml: arm/deploy, with infra/azure.parameters.json) or by
// hand with `az deployment group create` (docs/deploy-azure.md). Output names are the toolkit's: each
// output is written to env/.env.<environment> under its own name.

@minLength(4)
@maxLength(16)
@description('Lowercase letters and digits; prefixes every resource name (the storage account and registry drop the hyphens).')
param resourceBaseName string

param location string = resourceGroup().location

@description('The bot\'s name in Azure Bot Service and Teams.')
param botDisplayName string = 'CPOR claims'

@description('SingleTenant: the Entra app made by botAadApp/create (BOT_ID and its secret). UserAssignedMSI: the bot signs in as the managed identity below; no secret anywhere.')
@allowed([
  'SingleTenant'
  'UserAssignedMSI'
])
param botAppType string = 'SingleTenant'

@description('SingleTenant only: the client id of the bot\'s Entra app.')
param botAadAppClientId string = ''

@secure()
@description('SingleTenant only: the client secret of the bot\'s Entra app (kept as a Container Apps secret).')
param botAadAppClientSecret string = ''

@description('SingleTenant only: the tenant of the bot\'s Entra app (the Microsoft 365 tenant). UserAssignedMSI uses this subscription\'s tenant.')
param botTenantId string = tenant().tenantId

@description('Azure Bot Service pricing tier: F0 is free for the Teams channel (standard channels are free in either tier).')
@allowed([
  'F0'
  'S1'
])
param botServiceSku string = 'F0'

@description('The bot\'s image in the registry this template creates (repository:tag). Empty on the first provision: a placeholder runs until the deploy step builds and pushes the image.')
param containerImage string = ''

@minValue(2)
@maxValue(30)
@description('Replicas that always run: two or more, so a restart or a platform update never leaves Teams without a bot.')
param minReplicas int = 2

@minValue(2)
@maxValue(30)
param maxReplicas int = 6

@description('Cron (UTC) of the sweep job that fires due deadlines, reminders and unfinished notifications.')
param sweepSchedule string = '*/5 * * * *'

@secure()
@minLength(32)
@description('HMAC secret signing the customers\' consent links (CONSENT_LINK_SECRET); keep it across deployments or sent links stop working.')
param consentLinkSecret string

@description('IANA time zone in which business days, deadlines and business hours are counted.')
param businessTimeZone string = 'UTC'

@description('Comma-separated YYYY-MM-DD holidays in that zone.')
param businessHolidays string = ''

@description('Language of the shared cards in the reviewers\' conversation: en-US or zh-CN.')
@allowed([
  'en-US'
  'zh-CN'
])
param reviewLocale string = 'en-US'

@description('Mail server for the customers\' approval e-mails; empty keeps them in the Cosmos DB container "mail".')
param smtpHost string = ''
param smtpPort string = '587'
param smtpUser string = ''
@secure()
param smtpPassword string = ''
@description('Sender of the approval e-mails; required with smtpHost.')
param mailFrom string = ''

var baseName = toLower(resourceBaseName)
var compactName = replace(baseName, '-', '')
var databaseName = 'cpor'
var poeContainerName = 'poe'
var botPort = 3978
var appName = '${baseName}-bot'
var placeholderImage = 'mcr.microsoft.com/k8se/quickstart:latest'
var usesBotImage = !empty(containerImage)
var image = usesBotImage ? '${registry.properties.loginServer}/${containerImage}' : placeholderImage
// The bot's public address is known before the app exists: the app's name on the environment's domain.
var botFqdn = '${appName}.${containerEnv.properties.defaultDomain}'
var botAppId = botAppType == 'UserAssignedMSI' ? identity.properties.clientId : botAadAppClientId
var botAppTenantId = botAppType == 'UserAssignedMSI' ? tenant().tenantId : botTenantId

// Every container of the bot's database, as src/storage/cosmosDatabase.ts (CONTAINERS) defines them; a
// test compares the two. Only processed activities expire: each record carries its own ttl (a day).
var cosmosContainers = [
  { name: 'claims', partitionKey: '/orgId' }
  { name: 'associations', partitionKey: '/tenantId' }
  { name: 'rosters', partitionKey: '/id' }
  { name: 'conversations', partitionKey: '/id' }
  { name: 'tenantIndex', partitionKey: '/id' }
  { name: 'timers', partitionKey: '/id' }
  { name: 'deliveries', partitionKey: '/id' }
  { name: 'botState', partitionKey: '/id' }
  { name: 'activities', partitionKey: '/id', defaultTtl: -1 }
  { name: 'leases', partitionKey: '/id' }
  { name: 'mail', partitionKey: '/id' }
]

// Built-in role definitions (ids are the same in every tenant).
var roles = {
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageBlobDelegator: 'db58b8e5-c6ad-4a2a-8342-4190687cbf4a'
  cosmosDataContributor: '00000000-0000-0000-0000-000000000002'
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${baseName}-identity'
  location: location
}

// ---- Monitoring --------------------------------------------------------------------------------

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${baseName}-logs'
  location: location
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${baseName}-insights'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
  }
}

// ---- Data: Cosmos DB and Blob storage, reached only through the managed identity ----------------

resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: '${baseName}-cosmos'
  location: location
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [
      { locationName: location, failoverPriority: 0, isZoneRedundant: false }
    ]
    // Serverless: billed per request unit used and per GB stored, nothing for idle throughput.
    capabilities: [
      { name: 'EnableServerless' }
    ]
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
    // Keys off: only Entra ID identities with a data-plane role get in.
    disableLocalAuth: true
    minimalTlsVersion: 'Tls12'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: cosmos
  name: databaseName
  properties: {
    resource: { id: databaseName }
  }
}

// Created here because a data-plane role cannot create containers: the bot only reads them at start.
resource containers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [for c in cosmosContainers: {
  parent: database
  name: c.name
  properties: {
    resource: {
      id: c.name
      partitionKey: { paths: [c.partitionKey], kind: 'Hash', version: 2 }
      defaultTtl: c.?defaultTtl
    }
  }
}]

resource cosmosDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: cosmos
  name: guid(cosmos.id, identity.id, roles.cosmosDataContributor)
  properties: {
    roleDefinitionId: '${cosmos.id}/sqlRoleDefinitions/${roles.cosmosDataContributor}'
    principalId: identity.properties.principalId
    scope: cosmos.id
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: take('${compactName}poe${uniqueString(resourceGroup().id)}', 24)
  location: location
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    // No account keys: PoE links are user-delegation SAS signed through the managed identity.
    allowSharedKeyAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: { enabled: true, days: 7 }
  }
}

resource poeContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: poeContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource blobDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, identity.id, roles.storageBlobDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource blobDelegator 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, identity.id, roles.storageBlobDelegator)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDelegator)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---- Hosting: registry, Container Apps environment, the bot and the sweep job --------------------

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: take('${compactName}acr${uniqueString(resourceGroup().id)}', 50)
  location: location
  sku: { name: 'Basic' }
  properties: {
    adminUserEnabled: false
  }
}

resource acrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: registry
  name: guid(registry.id, identity.id, roles.acrPull)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.acrPull)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource containerEnv 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: '${baseName}-env'
  location: location
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: logs.properties.customerId
        sharedKey: logs.listKeys().primarySharedKey
      }
    }
    workloadProfiles: [
      { name: 'Consumption', workloadProfileType: 'Consumption' }
    ]
  }
}

var storageAccountUrl = 'https://${storage.name}.blob.${environment().suffixes.storage}'

// Secrets of the apps (Container Apps secrets, referenced by name, never plain settings).
var botPasswordSecret = botAppType == 'SingleTenant' ? [ { name: 'microsoft-app-password', value: botAadAppClientSecret } ] : []
var smtpPasswordSecret = empty(smtpPassword) ? [] : [ { name: 'smtp-password', value: smtpPassword } ]
var secrets = concat([ { name: 'consent-link-secret', value: consentLinkSecret } ], botPasswordSecret, smtpPasswordSecret)

// Settings of the bot and the sweep job (src/config/config.ts reads each; test/storage/deploymentSettings.test.ts checks).
var commonEnv = [
  { name: 'MicrosoftAppId', value: botAppId }
  { name: 'MicrosoftAppType', value: botAppType }
  { name: 'MicrosoftAppTenantId', value: botAppTenantId }
  { name: 'PUBLIC_BASE_URL', value: 'https://${botFqdn}' }
  { name: 'COSMOS_ENDPOINT', value: cosmos.properties.documentEndpoint }
  { name: 'COSMOS_DATABASE', value: databaseName }
  { name: 'AZURE_STORAGE_ACCOUNT_URL', value: storageAccountUrl }
  { name: 'POE_CONTAINER', value: poeContainerName }
  { name: 'AZURE_CLIENT_ID', value: identity.properties.clientId }
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsights.properties.ConnectionString }
  { name: 'LOG_FORMAT', value: 'json' }
  { name: 'CONSENT_LINK_SECRET', secretRef: 'consent-link-secret' }
  { name: 'BUSINESS_TIME_ZONE', value: businessTimeZone }
  { name: 'BUSINESS_HOLIDAYS', value: businessHolidays }
  { name: 'REVIEW_LOCALE', value: reviewLocale }
  { name: 'SMTP_HOST', value: smtpHost }
  { name: 'SMTP_PORT', value: smtpPort }
  { name: 'SMTP_USER', value: smtpUser }
  { name: 'MAIL_FROM', value: mailFrom }
]
var botPasswordEnv = botAppType == 'SingleTenant' ? [ { name: 'MicrosoftAppPassword', secretRef: 'microsoft-app-password' } ] : []
var smtpPasswordEnv = empty(smtpPassword) ? [] : [ { name: 'SMTP_PASSWORD', secretRef: 'smtp-password' } ]
// The web replicas leave due timers to the sweep job.
var webEnv = [
  { name: 'PORT', value: string(botPort) }
  { name: 'SWEEP_INTERVAL_SECONDS', value: '0' }
]

var registries = [
  { server: registry.properties.loginServer, identity: identity.id }
]

resource bot 'Microsoft.App/containerApps@2024-03-01' = {
  name: appName
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    environmentId: containerEnv.id
    workloadProfileName: 'Consumption'
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        // The placeholder image (first provision only) listens on 80.
        targetPort: usesBotImage ? botPort : 80
        transport: 'auto'
        allowInsecure: false
      }
      registries: registries
      secrets: secrets
    }
    template: {
      containers: [
        {
          name: 'bot'
          image: image
          resources: { cpu: json('0.5'), memory: '1Gi' }
          env: concat(commonEnv, botPasswordEnv, smtpPasswordEnv, webEnv)
          // Liveness asks only whether the process answers; readiness whether its stores do, so a
          // Cosmos DB blip takes replicas out of the load balancer without restarting them all.
          probes: usesBotImage ? [
            {
              type: 'Startup'
              httpGet: { path: '/healthz/live', port: botPort }
              periodSeconds: 5
              failureThreshold: 24
            }
            {
              type: 'Liveness'
              httpGet: { path: '/healthz/live', port: botPort }
              periodSeconds: 15
              failureThreshold: 3
            }
            {
              type: 'Readiness'
              httpGet: { path: '/healthz/ready', port: botPort }
              periodSeconds: 10
              failureThreshold: 3
            }
          ] : []
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: max(minReplicas, maxReplicas)
        rules: [
          {
            name: 'http'
            http: { metadata: { concurrentRequests: '50' } }
          }
        ]
      }
    }
  }
  dependsOn: [
    acrPull
  ]
}

// One sweep at a time, on a schedule: fires every due timer and exits (npm run sweep, from dist/).
resource sweep 'Microsoft.App/jobs@2024-03-01' = if (usesBotImage) {
  name: '${baseName}-sweep'
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    environmentId: containerEnv.id
    workloadProfileName: 'Consumption'
    configuration: {
      triggerType: 'Schedule'
      scheduleTriggerConfig: {
        cronExpression: sweepSchedule
        parallelism: 1
        replicaCompletionCount: 1
      }
      replicaTimeout: 600
      replicaRetryLimit: 1
      registries: registries
      secrets: secrets
    }
    template: {
      containers: [
        {
          name: 'sweep'
          image: image
          command: [ 'node', '--disable-warning=DEP0111', 'dist/app/cli/sweep.js' ]
          resources: { cpu: json('0.25'), memory: '0.5Gi' }
          env: concat(commonEnv, botPasswordEnv, smtpPasswordEnv)
        }
      ]
    }
  }
  dependsOn: [
    acrPull
  ]
}

// ---- Azure Bot with the Teams channel -----------------------------------------------------------

resource botService 'Microsoft.BotService/botServices@2022-09-15' = {
  name: baseName
  location: 'global'
  kind: 'azurebot'
  sku: { name: botServiceSku }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${botFqdn}/api/messages'
    msaAppId: botAppId
    msaAppType: botAppType
    msaAppTenantId: botAppTenantId
    msaAppMSIResourceId: botAppType == 'UserAssignedMSI' ? identity.id : null
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: botService
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: { isEnabled: true }
  }
}

// ---- Outputs: written by the Agents Toolkit to env/.env.<environment> under these names ----------

output BOT_ID string = botAppId
output BOT_DOMAIN string = botFqdn
output BOT_ENDPOINT string = 'https://${botFqdn}'
output BOT_TENANT_ID string = botAppTenantId
output BOT_AZURE_CONTAINER_APP_NAME string = bot.name
output SWEEP_AZURE_CONTAINER_APP_JOB_NAME string = '${baseName}-sweep'
output AZURE_CONTAINER_REGISTRY_NAME string = registry.name
output AZURE_CONTAINER_REGISTRY_LOGIN_SERVER string = registry.properties.loginServer
output MANAGED_IDENTITY_CLIENT_ID string = identity.properties.clientId
output COSMOS_ENDPOINT string = cosmos.properties.documentEndpoint
output AZURE_STORAGE_ACCOUNT_URL string = storageAccountUrl
