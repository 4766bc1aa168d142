// A module that calls itself: followed once, then a note.
module again 'module-cycle.bicep' = {
  name: 'again'
}
