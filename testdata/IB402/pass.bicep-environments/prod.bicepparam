using './main.bicep'

param clusters = ['prod-00', 'prod-01', 'prod-02', 'prod-03', 'prod-04', 'prod-05', 'prod-06', 'prod-07', 'prod-08', 'prod-09', 'prod-10', 'prod-11']
